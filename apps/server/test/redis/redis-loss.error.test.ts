import { and, countDistinct, eq, gt, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema.js';
import { acquireBody, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';
import { createRedisHarness, ThrowawayRedis } from './redis-support.js';

type Creds = { sessionId: string; sessionSecret: string; fingerprint: string };

/** Redis losing its data or going away: PostgreSQL stays the truth, nothing is over-allocated or lost. */
describe('redis seat store: losing Redis', () => {
  let redis: ThrowawayRedis;
  let h: Harness;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    h = await createRedisHarness({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  const acquire = async (seed: SeededLicense, fingerprint: string) => {
    const answer = await h.licensing('acquire', acquireBody(seed, fingerprint));
    return answer.statusCode === 200 ? ({ ...answer.json(), fingerprint } as Creds) : answer.statusCode;
  };
  const heartbeat = (c: Creds) => h.licensing('heartbeat', { sessionId: c.sessionId, sessionSecret: c.sessionSecret });
  const liveSeatsInPostgres = async (licenseId: string) => {
    const [row] = await h.db.database.db
      .select({ n: countDistinct(sessions.basisKey) })
      .from(sessions)
      .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, h.clock.now())));
    return Number(row?.n ?? 0);
  };

  it('rebuilds from PostgreSQL after a flush in the middle of acquires and heartbeats', async () => {
    const seed = await seedLicense(h, { seats: 10 });
    const originals: Creds[] = [];
    for (let i = 0; i < 8; i++) originals.push((await acquire(seed, `machine-orig-${i}`)) as Creds);
    expect(originals.every((c) => typeof c === 'object')).toBe(true);

    // Newcomers race for the two free seats while the originals heartbeat, and Redis is flushed midway.
    const newcomers = Array.from({ length: 30 }, (_, i) => `machine-new-${String(i).padStart(2, '0')}`);
    const first = [...originals.map((c) => heartbeat(c)), ...newcomers.slice(0, 15).map((fp) => acquire(seed, fp))];
    const flush = redis.command((c) => c.flushall());
    const second = [...originals.map((c) => heartbeat(c)), ...newcomers.slice(15).map((fp) => acquire(seed, fp))];
    const [answers] = await Promise.all([Promise.all([...first, ...second]), flush]);
    for (const a of answers) {
      const status = typeof a === 'number' ? a : 'statusCode' in a ? a.statusCode : 200;
      expect([200, 409]).toContain(status);
    }

    // Every original keeps its seat on its next heartbeat.
    for (const c of originals) expect(expectStatus(await heartbeat(c), 200).reacquired).toBe(false);
    // Each newcomer that was granted a seat heartbeats once: kept, or refused cleanly.
    const granted = answers.filter((a): a is Creds => typeof a === 'object' && 'fingerprint' in a);
    let kept = 0;
    for (const c of granted) {
      const beat = await heartbeat(c);
      if (beat.statusCode === 200) kept += 1;
      else expect(beat.json().code).toBe('SESSION_EXPIRED');
    }
    expect(originals.length + kept).toBeLessThanOrEqual(10);
    const used = (await h.services.seats.seatsInUse([seed.licenseId])).get(seed.licenseId);
    expect(used).toBeLessThanOrEqual(10);
    expect(used).toBe(originals.length + kept);
    expect(await liveSeatsInPostgres(seed.licenseId)).toBe(used);
    // A late comer gets a seat exactly when one is free.
    const late = await acquire(seed, 'machine-late');
    expect(typeof late === 'object' ? 'granted' : late).toBe((used ?? 0) < 10 ? 'granted' : 409);

    // Nothing lost: the license answers, every grant has its row, the audit chain is whole.
    expectStatus(await h.admin('GET', `/licenses/${seed.licenseId}`), 200);
    const rows = await h.db.database.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.licenseId, seed.licenseId));
    const ids = new Set(rows.map((r) => r.id));
    for (const c of [...originals, ...granted]) expect(ids.has(c.sessionId)).toBe(true);
    expect(await h.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('answers 503 with Retry-After while Redis is down, and serves fully once it is back', async () => {
    const seed = await seedLicense(h, { seats: 5 });
    const held: Creds[] = [];
    for (let i = 0; i < 3; i++) held.push((await acquire(seed, `machine-down-${i}`)) as Creds);

    await redis.stop();
    const refused = await h.licensing('acquire', acquireBody(seed, 'machine-down-x'));
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const beat = await heartbeat(held[0] as Creds);
    expect(beat.statusCode).toBe(503);
    expect(beat.headers['retry-after']).toBeDefined();
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.redis).toMatch(/^unreachable/);

    // Started again empty (no persistence): the first call per license rebuilds it from PostgreSQL.
    await redis.start();
    let readyAgain = 503;
    for (let i = 0; i < 400 && readyAgain !== 200; i++) {
      readyAgain = (await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
      if (readyAgain !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(readyAgain).toBe(200);
    for (const c of held) expect(expectStatus(await heartbeat(c), 200).reacquired).toBe(false);
    expect(typeof (await acquire(seed, 'machine-down-3'))).toBe('object');
    expect(typeof (await acquire(seed, 'machine-down-4'))).toBe('object');
    expect(await acquire(seed, 'machine-down-5')).toBe(409);
    expect((await h.services.seats.seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(5);
    expect(await liveSeatsInPostgres(seed.licenseId)).toBe(5);
    expect(await h.services.audit.verify()).toMatchObject({ ok: true });
  });
});
