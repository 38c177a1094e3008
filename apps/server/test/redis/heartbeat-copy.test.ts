import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../src/db/schema.js';
import type { RedisSeatStore } from '../../src/seats/redis-seat-store.js';
import { acquireBody, expectStatus, seedLicense } from '../support/harness.js';
import { createRedisHarness, dropPrefix, REDIS_TEST_URL } from './redis-support.js';

describe('redis seat store: copying heartbeats to PostgreSQL', () => {
  let h: Awaited<ReturnType<typeof createRedisHarness>>;
  beforeAll(async () => {
    h = await createRedisHarness();
  });
  afterAll(() => h.close());

  const expiryInPostgres = async (sessionId: string) => {
    await (h.services.seats as RedisSeatStore).flushHeartbeats();
    const [row] = await h.db.database.db.select({ expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.id, sessionId));
    return row?.expiresAt.getTime();
  };

  it('copies a heartbeat only once less than half a lease is left in PostgreSQL, and a rebuild still keeps the seat', async () => {
    const seed = await seedLicense(h, { seats: 1, leaseTtlSeconds: 360, heartbeatIntervalSeconds: 60 });
    const t0 = h.clock.now().getTime();
    const s = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    const beat = async () => expectStatus(await h.licensing('heartbeat', { sessionId: s.sessionId, sessionSecret: s.sessionSecret }), 200);
    expect(await expiryInPostgres(s.sessionId)).toBe(t0 + 360_000);

    // 300 and 240 s of PostgreSQL's copy left: not copied.
    for (const at of [60, 120]) {
      h.clock.advance(60);
      expect(new Date((await beat()).expiresAt).getTime()).toBe(t0 + (at + 360) * 1000);
      expect(await expiryInPostgres(s.sessionId)).toBe(t0 + 360_000);
    }
    // Half the lease gone: copied (with the new token the half-way heartbeat signs).
    h.clock.advance(60);
    await beat();
    expect(await expiryInPostgres(s.sessionId)).toBe(t0 + 540_000);
    h.clock.advance(60);
    await beat();
    expect(await expiryInPostgres(s.sessionId)).toBe(t0 + 540_000);
    // The admin API shows the heartbeat PostgreSQL has not been sent.
    const listed = expectStatus(await h.admin('GET', `/sessions?licenseId=${seed.licenseId}`), 200).data;
    expect(listed).toMatchObject([{ id: s.sessionId, lastHeartbeatAt: new Date(t0 + 240_000).toISOString(), expiresAt: new Date(t0 + 600_000).toISOString() }]);

    // Just before the next copy, PostgreSQL's copy is at its oldest. Redis loses its data:
    // the rebuild loads the session from that copy, so the seat stays taken and its own.
    h.clock.advance(110);
    await dropPrefix(REDIS_TEST_URL, h.prefix);
    expect((await h.licensing('acquire', acquireBody(seed, 'machine-bbbb'))).statusCode).toBe(409);
    const kept = await beat();
    expect(kept.reacquired).toBe(false);
    expect(new Date(kept.expiresAt).getTime()).toBe(t0 + (350 + 360) * 1000);
  });
});
