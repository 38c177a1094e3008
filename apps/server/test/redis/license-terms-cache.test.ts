import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisSeatStore } from '../../src/seats/redis-seat-store.js';
import { acquireBody, expectStatus, seedLicense } from '../support/harness.js';
import { createRedisHarness } from './redis-support.js';

/**
 * Heartbeats on the Redis store read license terms from memory; a trigger's NOTIFY
 * keeps that copy current. Changes here are made in SQL, behind the service's back,
 * so only the notification (or the fallback while it is not heard) can bring them.
 */
describe('license terms cached for heartbeats', () => {
  let h: Awaited<ReturnType<typeof createRedisHarness>>;
  let cache: RedisSeatStore['termsCache'];
  beforeAll(async () => {
    h = await createRedisHarness();
    cache = (h.services.seats as RedisSeatStore).termsCache;
  });
  afterAll(async () => {
    await h?.close();
  });

  const execute = (query: ReturnType<typeof sql>) => h.services.database.db.execute(query);
  const beat = async (creds: { sessionId: string; sessionSecret: string }) => {
    const answer = await h.licensing('heartbeat', creds);
    return answer.statusCode === 200 ? 'ok' : answer.json().code;
  };

  async function liveSession(seats = 5) {
    await expect.poll(() => cache.listening).toBe(true);
    const seed = await seedLicense(h, { seats });
    const a = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    const creds = { sessionId: a.sessionId, sessionSecret: a.sessionSecret };
    // The first heartbeat fills the cache.
    expect(await beat(creds)).toBe('ok');
    return { seed, creds };
  }

  it('sees a suspension committed directly in SQL at the next heartbeats', async () => {
    const { seed, creds } = await liveSession();
    await execute(sql`update licenses set status = 'suspended' where id = ${seed.licenseId}`);
    await expect.poll(() => beat(creds), { timeout: 2_000, interval: 20 }).toBe('LICENSE_SUSPENDED');
  });

  it('sees a plan change (every license of every plan is dropped)', async () => {
    const { seed, creds } = await liveSession();
    const before = expectStatus(await h.licensing('heartbeat', creds), 200).heartbeatIntervalSeconds;
    await execute(sql`update plans set heartbeat_interval_seconds = heartbeat_interval_seconds + 1 where id = ${seed.planId}`);
    await expect
      .poll(async () => expectStatus(await h.licensing('heartbeat', creds), 200).heartbeatIntervalSeconds, { timeout: 2_000, interval: 20 })
      .toBe(before + 1);
  });

  it('misses nothing while its listener is down: it reads PostgreSQL until it listens again', async () => {
    const { seed, creds } = await liveSession();
    // The server learns that the feed is gone when its socket says so, a moment after
    // the cut (until then a copy may serve, at most the 5 s TTL): wait for that moment.
    const noticed = new Promise<void>((resolve) => {
      const setListening = cache.setListening.bind(cache);
      cache.setListening = (listening) => {
        setListening(listening);
        if (!listening) resolve();
      };
    });
    // Cut the listener off; the change below may land before it is listening again.
    await execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`);
    await noticed;
    await execute(sql`update licenses set status = 'suspended' where id = ${seed.licenseId}`);
    expect(await beat(creds)).toBe('LICENSE_SUSPENDED');
    await expect.poll(() => cache.listening, { timeout: 5_000 }).toBe(true);
  });
});
