import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../src/http/redis-rate-limiter.js';
import { Metrics } from '../../src/ops/metrics.js';
import { RedisConnection } from '../../src/redis/connection.js';
import { acquireBody, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { createRedisHarness, dropPrefix, REDIS_TEST_URL, randomPrefix } from './redis-support.js';

describe('redis: readiness, metrics and shared rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRedisHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('uses the Redis seat store, checks Redis for readiness and reports its commands', async () => {
    expect(h.services.seats.kind).toBe('redis');
    const ready = expectStatus(await h.app.inject({ method: 'GET', url: '/readyz' }), 200);
    expect(ready.checks).toEqual({ database: 'ok', redis: 'ok' });
    const seed = await seedLicense(h, { seats: 1 });
    expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/leasehold_redis_command_duration_seconds_count\{command="lhAcquire"\} [1-9]/);
    expect(metrics.body).toContain('leasehold_redis_errors_total');
  });

  it('counts one window across replicas', async () => {
    const prefix = randomPrefix();
    const connections = [
      new RedisConnection(REDIS_TEST_URL, new Metrics({ defaultMetrics: false })),
      new RedisConnection(REDIS_TEST_URL, new Metrics({ defaultMetrics: false })),
    ];
    await Promise.all(connections.map((c) => c.connect()));
    const [a, b] = connections.map((c) => new RedisRateLimiter(c, prefix)) as [RedisRateLimiter, RedisRateLimiter];
    try {
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await (i % 2 === 0 ? a : b).hit('ip:203.0.113.9', 5, 60));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
      expect(decisions[5]?.retryAfterSeconds).toBeGreaterThan(0);
      expect(decisions[5]?.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect((await a.hit('ip:203.0.113.10', 5, 60)).allowed).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), ...connections.map((c) => c.close())]);
      await dropPrefix(REDIS_TEST_URL, prefix);
    }
  });
});
