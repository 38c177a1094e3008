import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/databases.js';
import { ADMIN_KEY } from '../support/harness.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { BeliefChecker } from './belief-checker.js';

const hasFaketime = (() => {
  try {
    execFileSync('faketime', ['-f', '+1m', 'true']);
    return true;
  } catch {
    return false;
  }
})();

/**
 * The SQL store on three replicas of one PostgreSQL: one on the machine's clock, one
 * 10 minutes ahead and one 10 minutes behind (faketime). Decisions take PostgreSQL's
 * clock, so nobody is over-allocated and no lease is cut short (the reapers run every
 * second on all three).
 */
describe.skipIf(!hasFaketime)(`sql seat store: replicas with clocks 10 minutes apart${hasFaketime ? '' : ' (skipped: faketime not installed)'}`, () => {
  let servers: ServerProcess[] = [];
  let drop: () => Promise<void> = async () => {};
  let dataDir = '';

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-skew-'));
    const env = {
      DATABASE_URL: database.url,
      LEASEHOLD_DATA_DIR: dataDir,
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      LEASEHOLD_REAPER_INTERVAL_SECONDS: '1',
      LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '100000',
      LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '100000',
    };
    // The first one migrates and writes the signing key; the skewed ones join it.
    servers.push(await startServerProcess(env));
    servers.push(...(await Promise.all([startServerProcess(env, ['faketime', '-f', '+10m']), startServerProcess(env, ['faketime', '-f', '-10m'])])));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (i: number, path: string, body: unknown, admin = false) => {
    const server = servers[i % servers.length] as ServerProcess;
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    return { status: response.status, body: (await response.json()) as any };
  };

  it('gives 10 clients no more than 5 seats and cuts no lease early', async () => {
    const product = (await post(0, '/api/v1/admin/products', { code: 'skew', name: 'Skew' }, true)).body;
    const plan = (
      await post(
        1,
        '/api/v1/admin/plans',
        { productId: product.id, code: 'team', name: 'Team', seats: 5, leaseTtlSeconds: 6, heartbeatIntervalSeconds: 1 },
        true,
      )
    ).body;
    const org = (await post(2, '/api/v1/admin/organisations', { name: 'Skewed' }, true)).body;
    const license = (await post(0, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true)).body;
    expect(license.key, JSON.stringify([product, plan, org, license])).toBeDefined();

    const beliefs = new BeliefChecker();
    const cutEarly: string[] = [];
    const until = Date.now() + 6_000;
    let turn = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, c) => {
        const name = `machine-${c}`;
        let held: { sessionId: string; sessionSecret: string; expiresAt: string } | null = null;
        while (Date.now() < until) {
          turn += 1;
          if (!held) {
            const a = await post(turn, '/api/v1/licenses/acquire', { product: 'skew', licenseKey: license.key, fingerprint: name });
            if (a.status === 200) {
              held = a.body;
              beliefs.granted(name, Date.now(), Date.parse(a.body.expiresAt));
            } else expect(a.status).toBe(409);
          } else {
            const b = await post(turn, '/api/v1/licenses/heartbeat', { sessionId: held.sessionId, sessionSecret: held.sessionSecret });
            const received = Date.now();
            if (b.status === 200) {
              held.expiresAt = b.body.expiresAt;
              beliefs.renewed(name, received, Date.parse(b.body.expiresAt));
            } else {
              // Refused while the answer came back before the lease it was told ended: cut early.
              if (received < Date.parse(held.expiresAt)) cutEarly.push(`${name}: ${b.body.code} with ${Date.parse(held.expiresAt) - received} ms left`);
              held = null;
            }
            // Some clients drop out now and then, so seats change hands.
            if (held && c % 3 === 0 && turn % 7 === 0) {
              beliefs.released(name, Date.now());
              await post(turn + 1, '/api/v1/licenses/release', { sessionId: held.sessionId, sessionSecret: held.sessionSecret });
              held = null;
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 300 + ((c * 37 + turn) % 400)));
        }
      }),
    );
    expect(cutEarly).toEqual([]);
    beliefs.check(5);
    expect(beliefs.peak().holders).toBe(5);
  });
});
