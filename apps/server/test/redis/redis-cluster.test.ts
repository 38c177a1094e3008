import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClient, raceForTenSeats, type ServerCluster, startServerCluster } from '../support/server-cluster.js';
import { ThrowawayRedisCluster } from './redis-cluster-support.js';

const ADMIN = 'lh_redis-cluster-test-admin-key-00000000';
const PREFIX = 'lh-cluster:';

// The Redis store on Redis Cluster (as on Memorystore for Redis Cluster): three server
// processes on a local cluster of three primaries, each with a replica. Every key of a
// license shares its hash slot, so each license's scripts run on one shard; licenses
// spread over the shards. A primary that dies is replaced by its replica, and no seat a
// client was told it holds is given away again (every promise waited for a replica).

describe('the Redis store on a Redis Cluster of three primaries', () => {
  let redis: ThrowawayRedisCluster;
  let servers: ServerCluster;
  let urls: [string, string, string];
  const { post, get } = clusterClient(ADMIN);

  beforeAll(async () => {
    redis = await ThrowawayRedisCluster.start();
    servers = await startServerCluster(3, {
      REDIS_URL: redis.url,
      LEASEHOLD_REDIS_CLUSTER: 'true',
      LEASEHOLD_REDIS_REPLICAS: '1',
      LEASEHOLD_REDIS_KEY_PREFIX: PREFIX,
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN,
      LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
      LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
    });
    urls = servers.servers.map((s) => s.url) as [string, string, string];
  }, 120_000);

  afterAll(async () => {
    await servers?.stop();
    await redis?.stop();
  });

  async function licenseOf(code: string, seats: number) {
    const [a] = urls;
    const product = (await post(a, '/api/v1/admin/products', { code, name: code }, true)).body;
    const plan = (
      await post(
        a,
        '/api/v1/admin/plans',
        { productId: product.id, code: 'team', name: 'Team', seats, leaseTtlSeconds: 60, heartbeatIntervalSeconds: 10 },
        true,
      )
    ).body;
    const org = (await post(a, '/api/v1/admin/organisations', { name: `${code} Ltd` }, true)).body;
    const created = await post(a, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; key: string };
  }
  const acquire = (base: string, code: string, key: string, fingerprint: string) =>
    post(base, '/api/v1/licenses/acquire', { product: code, licenseKey: key, fingerprint, idempotencyKey: `${fingerprint}-start` });

  it('grants exactly 10 of 500 concurrent acquires spread over three servers, and keeps each license on one shard', async () => {
    const { license, answers } = await raceForTenSeats({ post, get }, urls);
    const statuses = answers.map((x) => x.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(490);
    for (const base of urls) expect((await get(base, `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(10);

    // A session taken through one server heartbeats and releases through the others.
    const granted = answers.find((x) => x.status === 200)?.body;
    const creds = { sessionId: granted.sessionId, sessionSecret: granted.sessionSecret };
    expect((await post(urls[1], '/api/v1/licenses/heartbeat', creds)).status).toBe(200);
    expect((await post(urls[2], '/api/v1/licenses/release', creds)).status).toBe(200);
    expect((await get(urls[0], `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(9);

    // Every key of the license is on the primary of its slot, and only there.
    const home = await redis.primaryOf(`${PREFIX}{${license.id}}:seats`);
    const keys = (await home.command((c) => c.keys(`${PREFIX}{${license.id}}:*`))) as string[];
    expect(keys.length).toBeGreaterThanOrEqual(10);
    const perPrimary = await redis.keysPerPrimary(`${PREFIX}{${license.id}}:`);
    expect(perPrimary.filter((n) => n > 0)).toHaveLength(1);
  }, 90_000);

  it('spreads licenses over the shards, and reads the sessions of many licenses at once across them', async () => {
    const licenses = await Promise.all(Array.from({ length: 9 }, (_, i) => licenseOf(`spread-${i}`, 2)));
    const held = await Promise.all(
      licenses.map(async (l, i) => {
        const answer = await acquire(urls[i % 3] as string, `spread-${i}`, l.key, `spread-machine-${i}`);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        return { sessionId: answer.body.sessionId as string, sessionSecret: answer.body.sessionSecret as string };
      }),
    );
    const shards = new Set(await Promise.all(licenses.map(async (l) => (await redis.primaryOf(`${PREFIX}{${l.id}}:seats`)).port)));
    expect(shards.size, 'nine licenses on more than one shard').toBeGreaterThan(1);
    for (const creds of held) expect((await post(urls[0], '/api/v1/licenses/heartbeat', creds)).status).toBe(200);
    // The admin view reads heartbeat times from Redis for sessions of many licenses at once.
    const sessions = await get(urls[1], '/api/v1/admin/sessions?limit=50');
    expect(sessions.data.filter((s: { id: string }) => held.some((h) => h.sessionId === s.id))).toHaveLength(9);
  }, 90_000);

  it('loses no seat when the primary of a license dies and its replica takes over: held seats stay held, no seat is given twice', async () => {
    const code = 'failover';
    const license = await licenseOf(code, 5);
    const holders = [];
    for (let i = 0; i < 5; i++) {
      const answer = await acquire(urls[i % 3] as string, code, license.key, `holder-${i}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      holders.push({ sessionId: answer.body.sessionId as string, sessionSecret: answer.body.sessionSecret as string });
    }
    const home = await redis.primaryOf(`${PREFIX}{${license.id}}:seats`);
    await home.stop();
    await redis.settled();
    const promoted = await redis.primaryOf(`${PREFIX}{${license.id}}:seats`);
    expect(promoted.port).not.toBe(home.port);
    // The old primary comes back as the new one's replica, so promises can wait for a replica again.
    await home.start();
    await redis.settled();

    // Every holder still holds its seat (the client retries a 503 as the SDK does).
    for (const creds of holders) expect((await post(urls[1], '/api/v1/licenses/heartbeat', creds)).status).toBe(200);
    // And the seats are all taken: 100 racing newcomers get none.
    const racers = await Promise.all(Array.from({ length: 100 }, (_, i) => acquire(urls[i % 3] as string, code, license.key, `newcomer-${i}`)));
    expect(racers.map((r) => r.status).filter((s) => s === 200)).toHaveLength(0);
    expect(racers.every((r) => r.status === 409)).toBe(true);
    for (const base of urls) expect((await get(base, `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(5);
  }, 120_000);
});
