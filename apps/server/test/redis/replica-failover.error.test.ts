import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/databases.js';
import { ADMIN_KEY } from '../support/harness.js';
import { licenseOverHttp, type ProcessAnswer, postTo } from '../support/process-api.js';
import { startServerProcess } from '../support/server-process.js';
import { ThrowawayRedis } from './redis-support.js';
import { SwitchableProxy } from './switchable-proxy.js';

// A Redis failover to a replica that lags the primary: the replica keeps the epoch key, so
// no rebuild happens, but it lacks the primary's latest writes. A seat granted on the
// primary and not yet on the replica would be free again after the failover. With
// LEASEHOLD_REDIS_REPLICAS the server answers a promise only once the replicas hold it.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function failoverScenario(replicas: number) {
  const primary = await ThrowawayRedis.start();
  cleanups.push(() => primary.stop());
  // The replica reaches its primary through a link the test can cut.
  const link = await SwitchableProxy.start(primary.port);
  cleanups.push(() => link.close());
  const replica = await ThrowawayRedis.start(['--replicaof', '127.0.0.1', String(link.port)]);
  cleanups.push(() => replica.stop());
  await waitForLink(replica);
  const proxy = await SwitchableProxy.start(primary.port);
  cleanups.push(() => proxy.close());
  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-failover-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess({
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    LEASEHOLD_REDIS_REPLICAS: String(replicas),
    LEASEHOLD_REDIS_REPLICA_TIMEOUT_MS: '300',
    LEASEHOLD_DATA_DIR: dataDir,
    LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    // No reconciler pass during the test: what is measured is the failover itself.
    LEASEHOLD_REAPER_INTERVAL_SECONDS: '3600',
  });
  cleanups.push(async () => void (await server.stop('SIGKILL')));

  const license = await licenseOverHttp(server.url, 'failover', { seats: 1, leaseTtlSeconds: 60, heartbeatIntervalSeconds: 10 });
  const acquire = (fingerprint: string) =>
    postTo(server.url, '/api/v1/licenses/acquire', { product: 'failover', licenseKey: license.key, fingerprint, idempotencyKey: `${fingerprint}-1` });

  // A first holder comes and goes, so the license's epoch exists on both machines.
  const warmUp = await acquire('machine-warm-up');
  expect(warmUp.status, JSON.stringify(warmUp.body)).toBe(200);
  expect((await postTo(server.url, '/api/v1/licenses/release', { sessionId: warmUp.body.sessionId, sessionSecret: warmUp.body.sessionSecret })).status).toBe(
    200,
  );
  await primary.command(async (r) => {
    await r.set('caught-up', '1');
    expect(await r.wait(1, 5_000)).toBe(1);
  });

  // The replica falls behind (its link is cut); A asks for the one seat.
  link.cut();
  const a = await acquire('machine-a');

  // Failover: the primary dies, the lagging replica is promoted, the address moves to it,
  // and a new replica follows it (as a managed Redis replaces the lost machine).
  await primary.stop();
  await replica.command((r) => r.call('REPLICAOF', 'NO', 'ONE'));
  const successor = await ThrowawayRedis.start(['--replicaof', '127.0.0.1', String(replica.port)]);
  cleanups.push(() => successor.stop());
  proxy.switchTo(replica.port);

  // B asks for the seat until the server reaches Redis again.
  let b: ProcessAnswer = { status: 0, body: {} };
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    b = await acquire('machine-b');
    if (b.status !== 503 && b.status !== 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const rows = await sessionRows(database.url, 'machine-a');
  return { a, b, holders: [a, b].filter((x) => x.status === 200).length, aRows: rows };
}

describe('Redis failover to a lagging replica that kept the epoch', () => {
  it('with LEASEHOLD_REDIS_REPLICAS=1, a grant the replica never confirmed is answered 503 and undone: after the failover the seat goes to one client only', async () => {
    const r = await failoverScenario(1);
    expect(r.a.status).toBe(503);
    expect(r.a.body.code).toBe('SERVICE_UNAVAILABLE');
    // Nothing was recorded for A: the seat was given back before PostgreSQL heard of it.
    expect(r.aRows).toEqual([]);
    expect(r.b.status).toBe(200);
    expect(r.holders).toBe(1);
  }, 60_000);

  it('without replica confirmation the same failover gives the seat twice (the hazard the setting closes)', async () => {
    const r = await failoverScenario(0);
    expect(r.a.status).toBe(200);
    expect(r.aRows).toHaveLength(1);
    expect(r.b.status).toBe(200);
    expect(r.holders).toBe(2);
  }, 60_000);
});

async function waitForLink(replica: ThrowawayRedis): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await replica.command((r) => r.info('replication'));
    if (info.includes('master_link_status:up')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the replica never linked to its primary');
}

async function sessionRows(url: string, fingerprint: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const result = await db.query<{ id: string }>('select id from sessions where fingerprint = $1', [fingerprint]);
    return result.rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}
