import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClient, raceForTenSeats, type ServerCluster, startServerCluster } from '../support/server-cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { dropPrefix, REDIS_TEST_URL, randomPrefix } from './redis-support.js';

const ADMIN = 'lh_three-process-redis-admin-key-0000000';

/** Three server processes sharing one Redis and one PostgreSQL: Redis decides, so the count is exact across them. */
describe('three server processes sharing one Redis', () => {
  let cluster: ServerCluster;
  let servers: ServerProcess[] = [];
  const prefix = randomPrefix();

  beforeAll(async () => {
    cluster = await startServerCluster(3, {
      REDIS_URL: REDIS_TEST_URL,
      LEASEHOLD_REDIS_KEY_PREFIX: prefix,
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN,
      LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
      LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
    });
    servers = cluster.servers;
  }, 90_000);

  afterAll(async () => {
    expect(await cluster.stop()).toEqual([0, 0, 0]);
    await dropPrefix(REDIS_TEST_URL, prefix);
  });

  const { post, get } = clusterClient(ADMIN);

  it('grants exactly 10 of 500 concurrent acquires spread over the three', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const { license, answers } = await raceForTenSeats({ post, get }, [a, b, c]);
    const statuses = answers.map((x) => x.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(490);

    for (const base of [a, b, c]) expect((await get(base, `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(10);
    // A session taken on one replica heartbeats and releases on the others.
    const granted = answers.find((x) => x.status === 200)?.body;
    const creds = { sessionId: granted.sessionId, sessionSecret: granted.sessionSecret };
    expect((await post(b, '/api/v1/licenses/heartbeat', creds)).status).toBe(200);
    expect((await post(c, '/api/v1/licenses/release', creds)).status).toBe(200);
    expect((await get(a, `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(9);
    expect(await get(b, '/api/v1/admin/audit/verify')).toMatchObject({ ok: true });
    const ready = await fetch(`${a}/readyz`);
    expect((await ready.json()).checks).toMatchObject({ database: 'ok', redis: 'ok' });
  }, 60_000);

  it('ends sessions on every replica soon after a suspension through one of them', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const product = (await post(a, '/api/v1/admin/products', { code: 'suspended-app', name: 'Suspended app' }, true)).body;
    const plan = (await post(a, '/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'Team', seats: 5 }, true)).body;
    const org = (await post(a, '/api/v1/admin/organisations', { name: 'Suspended Ltd' }, true)).body;
    const license = (await post(a, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true)).body;
    const creds = await Promise.all(
      [b, c].map(async (base, i) => {
        const granted = (
          await post(base, '/api/v1/licenses/acquire', { product: 'suspended-app', licenseKey: license.key, fingerprint: `replica-${i}-machine` })
        ).body;
        const ref = { sessionId: granted.sessionId, sessionSecret: granted.sessionSecret };
        // A heartbeat first, so each replica holds the license's terms in memory.
        expect((await post(base, '/api/v1/licenses/heartbeat', ref)).status).toBe(200);
        return { base, ref };
      }),
    );
    expect((await post(a, `/api/v1/admin/licenses/${license.id}/suspend`, {}, true)).status).toBe(200);
    const suspendedAt = Date.now();
    for (const { base, ref } of creds) {
      await expect
        .poll(async () => (await post(base, '/api/v1/licenses/heartbeat', ref)).body.code, { timeout: 1_000, interval: 10 })
        .toBe('LICENSE_SUSPENDED');
    }
    // Well inside the cache's 5 s backstop: the notification did it.
    expect(Date.now() - suspendedAt).toBeLessThan(1_000);
  }, 30_000);
});
