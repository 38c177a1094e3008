import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { HeartbeatWriter } from '../../src/seats/redis-heartbeat-writer.js';
import { SqlSeatStore } from '../../src/seats/sql-seat-store.js';
import { freePort } from '../redis/redis-support.js';
import { createPostgresDatabase } from '../support/databases.js';

const system = { requestId: null, ip: null, actor: { type: 'system' as const, id: 'test' } };
const acquireFor = (i: number) => ({
  licenseId: 'lic_x',
  keyHash: null,
  userId: null,
  fingerprint: `machine-${i}`,
  fingerprintComponents: null,
  hostname: null,
  platform: null,
  clientVersion: null,
  idempotencyKey: null,
  ip: null,
});

describe('seat stores against a database that is down', () => {
  it('fails 64 acquires at once with 503 and Retry-After, not one after another', async () => {
    const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none`, dataDir: null, poolSize: 4 });
    const store = new SqlSeatStore({ db: database.db, tokens: {} as never });
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => store.acquire(acquireFor(i), system)));
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 });
    }
    await database.close();
  });
});

describe('heartbeat writer: versions and forgotten beats', () => {
  let db: Awaited<ReturnType<typeof openDatabase>>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    db = await openDatabase({ url: created.url, dataDir: null });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('does not queue again a beat forgotten while its failed flush was in flight', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The real database, with one write held and then failed as a lost connection would.
    const failing = new Proxy(db.db, {
      get(target, key, receiver) {
        if (key !== 'execute') return Reflect.get(target, key, receiver);
        return async () => {
          await gate;
          throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        };
      },
    });
    const writer = new HeartbeatWriter(failing, 60_000, () => {});
    const beat = { licenseId: 'lic_x', lastHeartbeatAt: new Date(1_000), expiresAt: new Date(21_000), token: null, renewAt: null };
    writer.record('ses_a', beat);
    writer.record('ses_b', beat);
    const flushing = writer.flush().catch(() => {});
    writer.forget('ses_a'); // ended (or written synchronously) meanwhile
    release();
    await flushing;
    expect(writer.pending).toBe(1);
    await writer.close().catch(() => {});
  });

  it('never lets an older beat replace a newer one in its queue', async () => {
    const writer = new HeartbeatWriter(db.db, 60_000, () => {});
    writer.record('ses_v', { licenseId: 'lic_x', lastHeartbeatAt: new Date(5_000), expiresAt: new Date(25_000), token: 'newer', renewAt: null });
    writer.record('ses_v', { licenseId: 'lic_x', lastHeartbeatAt: new Date(3_000), expiresAt: new Date(23_000), token: null, renewAt: null });
    expect(writer.pending).toBe(1);
    await writer.close();
  });
});
