import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, seatEpochs, sessions } from '../../src/db/schema.js';
import { Metrics } from '../../src/ops/metrics.js';
import { RedisConnection } from '../../src/redis/connection.js';
import { RedisSeatKeys } from '../../src/seats/redis-seat-keys.js';
import type { RedisSeatStore } from '../../src/seats/redis-seat-store.js';
import { SignerUnavailable } from '../../src/signing/signer-unavailable.js';
import { createRedisHarness, ThrowawayRedis } from '../redis/redis-support.js';
import { acquireBody, expectStatus, type SeededLicense, seedLicense } from '../support/harness.js';
import { BeliefChecker } from './belief-checker.js';

type Creds = { sessionId: string; sessionSecret: string; expiresAt: string };

/**
 * The faults of the seat promise, one test each, on a throwaway Redis the tests flush,
 * pause and stop. Every client's belief of holding a seat is recorded and checked.
 */
describe('redis seat store under faults', () => {
  let redis: ThrowawayRedis;
  let h: Awaited<ReturnType<typeof createRedisHarness>>;
  let direct: RedisConnection;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    h = await createRedisHarness({ redisUrl: redis.url });
    direct = new RedisConnection(redis.url, new Metrics({ defaultMetrics: false }));
    await direct.connect();
  });
  afterAll(async () => {
    await direct?.close();
    await h?.close();
    await redis?.stop();
  });

  const store = () => h.services.seats as RedisSeatStore;
  const now = () => h.clock.now().getTime();

  function clients(seed: SeededLicense, beliefs: BeliefChecker) {
    const held = new Map<string, Creds>();
    return {
      held,
      async acquire(client: string, extra: Record<string, unknown> = {}) {
        const answer = await h.licensing('acquire', acquireBody(seed, client, extra));
        if (answer.statusCode === 200) {
          const body = answer.json() as Creds;
          beliefs.granted(client, now(), Date.parse(body.expiresAt));
          held.set(client, body);
        }
        return answer;
      },
      async heartbeat(client: string) {
        const creds = held.get(client) as Creds;
        const answer = await h.licensing('heartbeat', { sessionId: creds.sessionId, sessionSecret: creds.sessionSecret });
        if (answer.statusCode === 200) beliefs.renewed(client, now(), Date.parse(answer.json().expiresAt));
        return answer;
      },
      async release(client: string) {
        const creds = held.get(client) as Creds;
        beliefs.released(client, now());
        held.delete(client);
        return h.licensing('release', { sessionId: creds.sessionId, sessionSecret: creds.sessionSecret });
      },
    };
  }

  /** The second checker: after one reconciler pass, Redis and PostgreSQL agree on the license. */
  const agreeAfterReconcile = async (licenseId: string) => {
    await store().flushHeartbeats();
    await store().reconcile(licenseId);
    expect(await store().disagreements(licenseId)).toMatchObject({ orphans: 0, missing: 0 });
  };

  const liveInPostgres = async (licenseId: string) =>
    (
      await h.db.database.db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, h.clock.now())))
    ).length;

  it('1: keeps a holder whose PostgreSQL copy lags, when Redis comes back empty after an outage', async () => {
    const seed = await seedLicense(h, { seats: 1, leaseTtlSeconds: 20, heartbeatIntervalSeconds: 2 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expectStatus(await c.acquire('machine-a'), 200);
    // Heartbeats every 2 s; the one at 10 s (a new token) is copied to PostgreSQL (expiry 30 s), the later ones are not.
    for (let t = 2; t <= 18; t += 2) {
      h.clock.advance(2);
      expectStatus(await c.heartbeat('machine-a'), 200);
      await store().flushHeartbeats();
    }
    // Redis stops 8 s after that copy and comes back empty 14 s later (at 32 s); A was told 38 s.
    await redis.command((r) => r.flushall());
    h.clock.advance(14);
    expect((await c.acquire('machine-b')).statusCode).toBe(409);
    const kept = expectStatus(await c.heartbeat('machine-a'), 200);
    expect(kept.reacquired).toBe(false);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('1b: twenty seats, fifty clients, an outage with data loss: no holder is cut off early', async () => {
    const seed = await seedLicense(h, { seats: 20, leaseTtlSeconds: 20, heartbeatIntervalSeconds: 2 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    const names = Array.from({ length: 50 }, (_, i) => `machine-${String(i).padStart(2, '0')}`);
    for (const name of names) await c.acquire(name);
    expect(c.held.size).toBe(20);
    for (let t = 1; t <= 20; t++) {
      h.clock.advance(1);
      // Half the holders beat on even seconds, half on odd ones.
      for (const [i, name] of [...c.held.keys()].entries()) if ((i + t) % 2 === 0) await c.heartbeat(name);
      if (t % 2 === 0) await store().flushHeartbeats();
    }
    await redis.command((r) => r.flushall());
    h.clock.advance(14);
    for (const name of names) if (!c.held.has(name)) await c.acquire(name);
    for (const name of [...c.held.keys()]) {
      const beat = await c.heartbeat(name);
      expect(beat.statusCode).toBe(200);
    }
    beliefs.check(20);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('2: grants in flight when Redis loses its data are never missed by the rebuild', async () => {
    for (let round = 0; round < 6; round++) {
      const seed = await seedLicense(h, { seats: 10 });
      const beliefs = new BeliefChecker();
      const c = clients(seed, beliefs);
      const names = Array.from({ length: 30 }, (_, i) => `machine-r${round}-${i}`);
      const flushes = (async () => {
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 2 + ((round * 7 + i * 5) % 15)));
          await redis.command((r) => r.flushall());
        }
      })();
      const answers = await Promise.all(names.map((n) => c.acquire(n)));
      await flushes;
      for (const a of answers) expect([200, 409, 503]).toContain(a.statusCode);
      // The clock stands still: every grant is still believed.
      beliefs.check(10);
      expect(c.held.size).toBeLessThanOrEqual(10);
      // Later newcomers see exactly the seats that are left.
      for (let i = 0; i < 12; i++) await c.acquire(`machine-r${round}-late-${i}`);
      beliefs.check(10);
      const used = (await store().seatsInUse([seed.licenseId])).get(seed.licenseId);
      expect(used).toBe(10);
      expect(await liveInPostgres(seed.licenseId)).toBe(10);
      await agreeAfterReconcile(seed.licenseId);
    }
  });

  it('3: the rebuild lock is taken only while the epoch is missing, and LOAD refuses an existing epoch', async () => {
    const keys = new RedisSeatKeys('fence-test:');
    const lic = 'lic_test3';
    const c = direct.client;
    // An epoch present: no lock, no load.
    await c.set(keys.epoch(lic), 'e1');
    expect(await c.lhRebuildLock(keys.epoch(lic), keys.lock(lic), 'tok', 30_000)).toBe('EXISTS');
    expect(await c.exists(keys.lock(lic))).toBe(0);
    await c.set(keys.lock(lic), 'tok');
    const session = ['ses_old', 'm:old', 'hash', 9e12, 'old', '', 1, 1, 0, '', '', '', '', 1];
    expect(await c.lhLoad(keys.epoch(lic), keys.seats(lic), keys.lock(lic), 1, keys.base(lic), 'tok', '1', 1000, 'e2', '1', ...session)).toBe('EPOCH_EXISTS');
    expect(await c.get(keys.epoch(lic))).toBe('e1');
    expect(await c.exists(keys.sessions(lic))).toBe(0);
    // Epoch missing: the first chunk clears what was left (a released session must not come back).
    await c.del(keys.epoch(lic), keys.lock(lic));
    expect(await c.lhRebuildLock(keys.epoch(lic), keys.lock(lic), 'tok', 30_000)).toBe('TAKEN');
    expect(await c.lhRebuildLock(keys.epoch(lic), keys.lock(lic), 'other', 30_000)).toBe('BUSY');
    // What an earlier, unfinished load left: a session on a shared seat, with an idempotency key.
    const left = ['ses_left', 'm:left', 'hash', 9e12, 'left', '', 1, 1, 0, '', 'k1', '', '', 1];
    expect(await c.lhLoad(keys.epoch(lic), keys.seats(lic), keys.lock(lic), 1, keys.base(lic), 'tok', '0', 1000, 'e2', '1', ...left)).toBe('MORE');
    expect(await c.exists(`${keys.base(lic)}i:k1`, `${keys.base(lic)}b:m:left`)).toBe(2);
    expect(await c.lhLoad(keys.epoch(lic), keys.seats(lic), keys.lock(lic), 1, keys.base(lic), 'tok', '1', 1000, 'e2', '1', ...session)).toBe('DONE');
    expect(await c.zrange(keys.seats(lic), 0, -1)).toEqual(['m:old']);
    expect(await c.hkeys(keys.sessions(lic))).toEqual(['ses_old']);
    expect(await c.exists(`${keys.base(lic)}i:k1`, `${keys.base(lic)}b:m:left`)).toBe(0);
    expect(await c.get(keys.epoch(lic))).toBe('e2');
    await c.del(...(await c.keys('fence-test:*')));
  });

  it('3b: replicas rebuilding one license at once load it once, and a release is not undone', async () => {
    const seed = await seedLicense(h, { seats: 2 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expectStatus(await c.acquire('machine-a'), 200);
    expectStatus(await c.acquire('machine-b'), 200);
    const releases: number[] = [];
    for (let i = 0; i < 5; i++) {
      await redis.command((r) => r.flushall());
      const [released] = await Promise.all([
        i === 0 ? c.release('machine-a') : Promise.resolve(null),
        ...Array.from({ length: 6 }, () => store().seatsInUse([seed.licenseId])),
      ]);
      if (released) releases.push(released.statusCode);
    }
    expect(releases).toEqual([200]);
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(1);
    expectStatus(await c.acquire('machine-c'), 200);
    expect((await c.acquire('machine-d')).statusCode).toBe(409);
    beliefs.check(2);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('3c: a grant decided under an epoch PostgreSQL does not know (an upgrade, or a rebuild elsewhere) is fenced and decided again', async () => {
    const seed = await seedLicense(h, { seats: 1 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(0);
    await h.db.database.db.delete(seatEpochs).where(eq(seatEpochs.licenseId, seed.licenseId));
    const epochBefore = await direct.client.get(new RedisSeatKeys(h.prefix).epoch(seed.licenseId));
    expectStatus(await c.acquire('machine-a'), 200);
    const [fence] = await h.db.database.db.select().from(seatEpochs).where(eq(seatEpochs.licenseId, seed.licenseId));
    expect(fence?.epoch).toBe(await direct.client.get(new RedisSeatKeys(h.prefix).epoch(seed.licenseId)));
    expect(fence?.epoch).not.toBe(epochBefore);
    expect((await c.acquire('machine-b')).statusCode).toBe(409);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('4: a retried acquire after the replica died between script and PostgreSQL gets a recorded session', async () => {
    const seed = await seedLicense(h, { seats: 1, seatBasis: 'session' });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    // Make sure the license is loaded, then decide a grant in Redis as a replica would, and "crash".
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(0);
    const keys = new RedisSeatKeys(h.prefix);
    const base = keys.base(seed.licenseId);
    const orphan = 'ses_00000000000000000000000000';
    const decided = (await direct.client.lhAcquire(
      `${base}epoch`,
      `${base}seats`,
      String(now()),
      base,
      orphan,
      `s:${orphan}`,
      'machine-a',
      '',
      'x',
      1,
      360_000,
      0,
      3_600_000,
      'start-0001',
      'h',
      0,
      0,
      '',
      '',
      'acquire',
      '',
    )) as string[];
    expect(decided[0]).toBe('GRANTED');
    // The SDK retries with the same key on another replica.
    const retried = expectStatus(await c.acquire('machine-a', { idempotencyKey: 'start-0001' }), 200);
    expect(retried.sessionId).not.toBe(orphan);
    const [row] = await h.db.database.db.select().from(sessions).where(eq(sessions.id, retried.sessionId));
    expect(row).toBeDefined();
    const granted = await h.db.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, retried.sessionId));
    expect(granted.map((e) => e.action)).toContain('seat.granted');
    expectStatus(await c.heartbeat('machine-a'), 200);
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(1);
    // Retried again: the same, recorded session.
    const again = expectStatus(await c.acquire('machine-a', { idempotencyKey: 'start-0001' }), 200);
    expect(again).toMatchObject({ sessionId: retried.sessionId, reused: true });
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('4b: a Redis timeout is outcome unknown: the acquire is undone by its session ID and nothing is split', async () => {
    const seed = await seedLicense(h, { seats: 1 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(0);
    await redis.command((r) => r.call('CLIENT', 'PAUSE', '4000', 'ALL'));
    // Straight to the store (the HTTP path's rate limiter would spend the pause first).
    const request = {
      licenseId: seed.licenseId,
      keyHash: null,
      userId: null,
      fingerprint: 'machine-a',
      fingerprintComponents: null,
      hostname: null,
      platform: null,
      clientVersion: null,
      idempotencyKey: null,
      ip: null,
    };
    const system = { requestId: null, ip: null, actor: { type: 'system' as const, id: 'test' } };
    await expect(store().acquire(request, system)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // The script timed out (2 s), its undo was queued behind it: both ran after the pause.
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(0);
    expect(await liveInPostgres(seed.licenseId)).toBe(0);
    expectStatus(await c.acquire('machine-b'), 200);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('4c: a signer failing after a heartbeat took a lapsed seat again gives the seat back', async () => {
    const seed = await seedLicense(h, { seats: 1, leaseTtlSeconds: 20, heartbeatIntervalSeconds: 2 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expectStatus(await c.acquire('machine-a'), 200);
    h.clock.advance(25);
    const spy = vi.spyOn(h.services.tokens, 'issue').mockRejectedValueOnce(new SignerUnavailable(new Error('signer down')));
    const beat = await c.heartbeat('machine-a');
    spy.mockRestore();
    expect(beat.statusCode).toBe(503);
    expect(beat.headers['retry-after']).toBeDefined();
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(0);
    expect(await liveInPostgres(seed.licenseId)).toBe(0);
    expectStatus(await c.acquire('machine-b'), 200);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('4d: a repeated idempotency key whose signing or PostgreSQL write fails leaves the first secret working in both stores', async () => {
    const seed = await seedLicense(h, { seats: 1, seatBasis: 'session' });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expectStatus(await c.acquire('machine-a', { idempotencyKey: 'start-4d-1' }), 200);
    const failures = [
      () => vi.spyOn(h.services.tokens, 'issue').mockRejectedValueOnce(new SignerUnavailable(new Error('signer down'))),
      () => vi.spyOn(h.db.database.db, 'transaction').mockRejectedValueOnce(Object.assign(new Error('connection terminated'), { code: '08006' })),
    ];
    for (const fail of failures) {
      // The first answer reached the client; a retry with the same key (a lost answer, as the SDK sees it) fails midway.
      const spy = fail();
      const repeated = await h.licensing('acquire', acquireBody(seed, 'machine-a', { idempotencyKey: 'start-4d-1' }));
      spy.mockRestore();
      expect(repeated.statusCode).toBe(503);
      // The holder of the first secret still renews, on Redis and after Redis forgets the session.
      expectStatus(await c.heartbeat('machine-a'), 200);
    }
    await redis.command((r) => r.flushall());
    expectStatus(await c.heartbeat('machine-a'), 200);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });

  it('reconciles: a session only Redis holds is dropped, one Redis lost is counted again', async () => {
    const seed = await seedLicense(h, { seats: 2, seatBasis: 'session' });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    expectStatus(await c.acquire('machine-a'), 200);
    const keys = new RedisSeatKeys(h.prefix);
    const base = keys.base(seed.licenseId);
    // An orphan: decided in Redis by a replica that died before PostgreSQL heard of it.
    const orphan = 'ses_00000000000000000000000001';
    await direct.client.lhAcquire(
      `${base}epoch`,
      `${base}seats`,
      String(now()),
      base,
      orphan,
      `s:${orphan}`,
      'machine-o',
      '',
      'x',
      2,
      360_000,
      0,
      3_600_000,
      '',
      'h',
      0,
      0,
      '',
      '',
      'acquire',
      '',
    );
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(2);
    expect((await c.acquire('machine-b')).statusCode).toBe(409);
    // Within the grace it may still be on its way to PostgreSQL: left alone.
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    h.clock.advance(61);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 1, missing: 0 });
    // And a live session Redis lost (a partial loss that kept the epoch).
    const a = c.held.get('machine-a') as Creds;
    await direct.client.hdel(keys.sessions(seed.licenseId), a.sessionId);
    await direct.client.zrem(`${base}seats`, `s:${a.sessionId}`);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 1, missing: 1 });
    const report = await store().reconcile(seed.licenseId);
    expect(report).toMatchObject({ orphans: 1, missing: 1, rebuilt: [seed.licenseId] });
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(1);
    expectStatus(await c.heartbeat('machine-a'), 200);
    expectStatus(await c.acquire('machine-b'), 200);
    beliefs.check(2);
    // Counted for operators.
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('leasehold_seat_reconciler_repairs_total');
  });

  it('reconciles a license of more seats than one page of the comparison reads: every page is read', async () => {
    const seed = await seedLicense(h, { seats: 1_200, seatBasis: 'session' });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    for (let i = 0; i < 1_200; i += 100) {
      const answers = await Promise.all(Array.from({ length: 100 }, (_, k) => c.acquire(`paged-machine-${i + k}`)));
      for (const answer of answers) expectStatus(answer, 200);
    }
    // Had a page been skipped, its sessions would count as missing from Redis.
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    // One session Redis lost, wherever its page is, is found.
    const lost = c.held.get('paged-machine-1199') as Creds;
    const keys = new RedisSeatKeys(h.prefix);
    const base = keys.base(seed.licenseId);
    await direct.client.hdel(keys.sessions(seed.licenseId), lost.sessionId);
    await direct.client.zrem(`${base}seats`, `s:${lost.sessionId}`);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 1 });
  }, 60_000);

  it('reconciles over more sessions than one page of PostgreSQL reads: pages meet without a gap, sessions sharing an expiry too', async () => {
    // Granted on a manual clock: 300 sessions share one expiry, the 1,100 granted a second
    // later another. The first page of live rows (1,000) ends inside the second group, which
    // is then read by ID, over two pages; the Redis sessions are looked up by ID in pages.
    const seed = await seedLicense(h, { seats: 1_400, seatBasis: 'session' });
    const c = clients(seed, new BeliefChecker());
    for (let i = 0; i < 1_400; i += 100) {
      if (i === 300) h.clock.advance(1);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, k) => c.acquire(`pg-paged-${i + k}`)));
      for (const answer of answers) expectStatus(answer, 200);
    }
    const db = h.db.database.db;
    const ordered = (
      await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.licenseId, seed.licenseId)).orderBy(sessions.expiresAt, sessions.id)
    ).map((r) => r.id);
    expect(ordered).toHaveLength(1_400);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    // Lost from Redis: the first and last live rows, and those either side of each page's end.
    const keys = new RedisSeatKeys(h.prefix);
    const base = keys.base(seed.licenseId);
    const lost = [0, 299, 300, 1_299, 1_300, 1_399].map((i) => ordered[i] as string);
    for (const sid of lost) {
      await direct.client.hdel(keys.sessions(seed.licenseId), sid);
      await direct.client.zrem(`${base}seats`, `s:${sid}`);
    }
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 6 });
    await store().reconcile(seed.licenseId);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    // Ended in PostgreSQL behind Redis's back: more than one page of lookups' worth, so the second is read.
    await db
      .update(sessions)
      .set({ endedAt: new Date(now() - 1_000), endReason: 'released' })
      .where(inArray(sessions.id, ordered.slice(0, 1_001)));
    h.clock.advance(61);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 1_001, missing: 0 });
    await store().reconcile(seed.licenseId);
    expect(await store().disagreements(seed.licenseId)).toMatchObject({ orphans: 0, missing: 0 });
    expect((await store().seatsInUse([seed.licenseId])).get(seed.licenseId)).toBe(399);
  }, 60_000);

  it('6: an idempotency key lives as long as its session, and a shorter lease lowers the seat at once', async () => {
    const seed = await seedLicense(h, { seats: 1, seatBasis: 'session', leaseTtlSeconds: 600, heartbeatIntervalSeconds: 60 });
    const beliefs = new BeliefChecker();
    const c = clients(seed, beliefs);
    const first = expectStatus(await c.acquire('machine-a', { idempotencyKey: 'start-0006' }), 200);
    // Two hours of heartbeats: longer than Redis keeps a key past its session's lease (1 h).
    for (let i = 0; i < 24; i++) {
      h.clock.advance(300);
      expectStatus(await c.heartbeat('machine-a'), 200);
    }
    const again = expectStatus(await c.acquire('machine-a', { idempotencyKey: 'start-0006' }), 200);
    expect(again).toMatchObject({ sessionId: first.sessionId, reused: true });
    // The plan's lease drops to 20 s: the next heartbeat's lease is 20 s, and the seat frees by then.
    expectStatus(await h.admin('PATCH', `/plans/${seed.planId}`, { leaseTtlSeconds: 20, heartbeatIntervalSeconds: 5 }), 200);
    store().termsCache.invalidate(seed.licenseId); // what the change notification does, without waiting for it
    h.clock.advance(1);
    const short = expectStatus(await c.heartbeat('machine-a'), 200);
    expect(Date.parse(short.expiresAt)).toBe(now() + 20_000);
    h.clock.advance(21);
    expectStatus(await c.acquire('machine-b'), 200);
    beliefs.check(1);
    await agreeAfterReconcile(seed.licenseId);
  });
});
