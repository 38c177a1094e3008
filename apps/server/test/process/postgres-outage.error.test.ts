import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThrowawayRedis } from '../redis/redis-support.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { canStartPostgres, ThrowawayPostgres } from '../support/throwaway-postgres.js';

const ADMIN_KEY = 'lh_outage-admin-key-0123456789abcdefghij';
const available = await canStartPostgres();
if (!available) console.warn('PostgreSQL outage tests skipped: pg_ctl/initdb not found (set LEASEHOLD_TEST_POSTGRES_BIN)');

type Answer = { status: number; retryAfter: string | null; body: Record<string, unknown> };

async function call(base: string, method: string, path: string, body?: unknown, admin = false): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : {} };
}

/**
 * PostgreSQL stopped under load, for the SQL seat store and the Redis one: every
 * answer is a success or a 503 with Retry-After (never a 500), /readyz says 503, the
 * server serves again once PostgreSQL is back, and every change it acknowledged is there.
 */
describe.skipIf(!available).each(['sql', 'redis'] as const)(
  `PostgreSQL stopped mid-load (%s seat store)${available ? '' : ' (skipped: pg_ctl/initdb not found)'}`,
  (store) => {
    let pg: ThrowawayPostgres;
    let redis: ThrowawayRedis | null = null;
    let server: ServerProcess;
    let dataDir: string;

    beforeAll(async () => {
      pg = await ThrowawayPostgres.create();
      if (store === 'redis') redis = await ThrowawayRedis.start();
      dataDir = mkdtempSync(join(tmpdir(), 'leasehold-outage-'));
      server = await startServerProcess({
        DATABASE_URL: pg.url,
        LEASEHOLD_DATA_DIR: dataDir,
        LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '1000000',
        LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '1000000',
        LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: '1000000',
        ...(redis ? { REDIS_URL: redis.url } : {}),
      });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await redis?.stop();
      await pg?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('answers only successes or 503 with Retry-After, recovers, and keeps every acknowledged change', async () => {
      const base = server.url;
      const product = (await call(base, 'POST', '/api/v1/admin/products', { code: 'coditect', name: 'CODITECT' }, true)).body;
      const plan = (await call(base, 'POST', '/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'Team', seats: 500 }, true)).body;
      const org = (await call(base, 'POST', '/api/v1/admin/organisations', { name: 'Acme' }, true)).body;
      const license = (await call(base, 'POST', '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true)).body;
      const acquire = (fingerprint: string) => call(base, 'POST', '/api/v1/licenses/acquire', { product: 'coditect', licenseKey: license.key, fingerprint });
      const held: { sessionId: string; sessionSecret: string }[] = [];
      for (let i = 0; i < 5; i++) {
        const a = await acquire(`machine-held-${i}`);
        expect(a.status).toBe(200);
        held.push({ sessionId: String(a.body.sessionId), sessionSecret: String(a.body.sessionSecret) });
      }
      // A heartbeat each, so the Redis store holds the license's terms.
      for (const s of held) expect((await call(base, 'POST', '/api/v1/licenses/heartbeat', s)).status).toBe(200);

      const answers: { phase: string; kind: string; answer: Answer }[] = [];
      const acknowledged = { organisations: [] as string[], sessions: [] as string[] };
      let phase = 'before';
      let running = true;
      let n = 0;
      const worker = async (w: number) => {
        while (running) {
          n += 1;
          const kind = ['heartbeat', 'acquire', 'organisation'][n % 3] as string;
          try {
            if (kind === 'heartbeat') {
              answers.push({ phase, kind, answer: await call(base, 'POST', '/api/v1/licenses/heartbeat', held[n % held.length]) });
            } else if (kind === 'acquire') {
              const answer = await acquire(`machine-load-${w}-${n}`);
              if (answer.status === 200) acknowledged.sessions.push(String(answer.body.sessionId));
              answers.push({ phase, kind, answer });
            } else {
              const answer = await call(base, 'POST', '/api/v1/admin/organisations', { name: `Load ${w}-${n}` }, true);
              if (answer.status === 201) acknowledged.organisations.push(String(answer.body.id));
              answers.push({ phase, kind, answer });
            }
          } catch (error) {
            answers.push({ phase, kind, answer: { status: 0, retryAfter: null, body: { error: String(error) } } });
          }
        }
      };
      const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await pg.stop();
      phase = 'outage';
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ready = await call(base, 'GET', '/readyz');
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await pg.start();
      phase = 'after';
      let readyAgain = 0;
      for (let i = 0; i < 200 && readyAgain !== 200; i++) {
        readyAgain = (await call(base, 'GET', '/readyz')).status;
        if (readyAgain !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      running = false;
      await load;

      expect(ready.status).toBe(503);
      expect(readyAgain).toBe(200);
      const outage = answers.filter((a) => a.phase === 'outage');
      expect(outage.length).toBeGreaterThan(10);
      const wrong = answers.filter(({ answer }) => !(answer.status < 300 || (answer.status === 503 && Number(answer.retryAfter) > 0)));
      expect(wrong.map((w) => `${w.phase} ${w.kind} ${w.answer.status} ${JSON.stringify(w.answer.body).slice(0, 200)}`)).toEqual([]);
      expect(outage.some((a) => a.answer.status === 503)).toBe(true);
      if (store === 'redis') {
        // License terms held in memory carry heartbeats through a short outage.
        const beats = outage.filter((a) => a.kind === 'heartbeat');
        expect(beats.length).toBeGreaterThan(0);
        expect(beats.every((a) => a.answer.status === 200)).toBe(true);
      }
      // Serving again: each kind of call succeeds.
      expect((await call(base, 'POST', '/api/v1/licenses/heartbeat', held[0])).status).toBe(200);
      expect((await acquire('machine-after')).status).toBe(200);

      // Every acknowledged change is there.
      for (const id of acknowledged.organisations) expect((await call(base, 'GET', `/api/v1/admin/organisations/${id}`, undefined, true)).status).toBe(200);
      const live = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: Answer = await call(
          base,
          'GET',
          `/api/v1/admin/sessions?limit=500&licenseId=${license.id}${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          true,
        );
        for (const s of page.body.data as { id: string }[]) live.add(s.id);
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(acknowledged.sessions.filter((id) => !live.has(id))).toEqual([]);
      expect((await call(base, 'GET', '/api/v1/admin/audit/verify', undefined, true)).body).toMatchObject({ ok: true });
      // One log line per outage and dependency, not one per refused request.
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.includes('unreachable: answering 503'));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(2);
      expect(server.output()).not.toContain('unexpected error');
    }, 60_000);
  },
);
