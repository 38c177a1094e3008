import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBody, expectStatus, type Harness, seedLicense } from '../support/harness.js';

/**
 * The behaviour every seat store must have, checked through the HTTP API on a
 * manual clock. The SQL store runs it on PGlite and PostgreSQL; other stores
 * run the same suite with their own harness.
 */
export function describeSeatStore(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`seat store: ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    const acquire = (seed: Awaited<ReturnType<typeof seedLicense>>, fp: string, extra: Record<string, unknown> = {}) =>
      h.licensing('acquire', acquireBody(seed, fp, extra));

    it('grants exactly the seats there are to 500 concurrent acquires', async () => {
      const seed = await seedLicense(h, { seats: 10 });
      const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => acquire(seed, `machine-${String(i).padStart(4, '0')}`)));
      const granted = answers.filter((a) => a.statusCode === 200);
      const refused = answers.filter((a) => a.statusCode === 409);
      expect(granted).toHaveLength(10);
      expect(refused).toHaveLength(490);
      expect(refused[0]?.json().code).toBe('NO_SEAT_AVAILABLE');
      const license = expectStatus(await h.admin('GET', `/licenses/${seed.licenseId}`), 200);
      expect(license.seatsInUse).toBe(10);
    });

    it('frees a seat when its lease runs out, by the clock and not before', async () => {
      const seed = await seedLicense(h, { seats: 1, leaseTtlSeconds: 360, heartbeatIntervalSeconds: 60 });
      expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      h.clock.advance(359);
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
      h.clock.advance(1);
      expectStatus(await acquire(seed, 'machine-bbbb'), 200);
    });

    it('keeps a seat alive with heartbeats past the TTL', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      for (let i = 0; i < 10; i++) {
        h.clock.advance(60);
        const beat = expectStatus(await h.licensing('heartbeat', { sessionId: first.sessionId, sessionSecret: first.sessionSecret }), 200);
        expect(beat.reacquired).toBe(false);
        expect(new Date(beat.expiresAt).getTime()).toBe(h.clock.now().getTime() + 360_000);
      }
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
    });

    it('answers heartbeats with the same lease token until half its lease has passed, then with a new one', async () => {
      const seed = await seedLicense(h, { seats: 1, leaseTtlSeconds: 360, heartbeatIntervalSeconds: 60 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const creds = { sessionId: first.sessionId, sessionSecret: first.sessionSecret };
      h.clock.advance(60);
      expect(expectStatus(await h.licensing('heartbeat', creds), 200).leaseToken).toBe(first.leaseToken);
      h.clock.advance(60);
      expect(expectStatus(await h.licensing('heartbeat', creds), 200).leaseToken).toBe(first.leaseToken);
      // 190 s after the acquire: past half of its 360 s lease.
      h.clock.advance(70);
      const renewed = expectStatus(await h.licensing('heartbeat', creds), 200).leaseToken;
      expect(renewed).not.toBe(first.leaseToken);
      h.clock.advance(60);
      expect(expectStatus(await h.licensing('heartbeat', creds), 200).leaseToken).toBe(renewed);
    });

    it('lets a heartbeat after expiry take a free seat again, and says so', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      h.clock.advance(400);
      const beat = expectStatus(await h.licensing('heartbeat', { sessionId: first.sessionId, sessionSecret: first.sessionSecret }), 200);
      expect(beat.reacquired).toBe(true);
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
    });

    it('refuses a heartbeat after expiry with SESSION_EXPIRED when the seat was taken', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      h.clock.advance(400);
      expectStatus(await acquire(seed, 'machine-bbbb'), 200);
      const beat = await h.licensing('heartbeat', { sessionId: first.sessionId, sessionSecret: first.sessionSecret });
      expect(beat.statusCode).toBe(409);
      expect(beat.json().code).toBe('SESSION_EXPIRED');
      const license = expectStatus(await h.admin('GET', `/licenses/${seed.licenseId}`), 200);
      expect(license.seatsInUse).toBe(1);
    });

    it('frees the seat at once on release, and a released session cannot heartbeat', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const creds = { sessionId: first.sessionId, sessionSecret: first.sessionSecret };
      expectStatus(await h.licensing('release', creds), 200);
      expectStatus(await h.licensing('release', creds), 200);
      expectStatus(await acquire(seed, 'machine-bbbb'), 200);
      expect((await h.licensing('heartbeat', creds)).json().code).toBe('SESSION_NOT_FOUND');
    });

    it('refuses heartbeat and release without the session secret', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const first = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const wrong = { sessionId: first.sessionId, sessionSecret: 'x'.repeat(43) };
      expect((await h.licensing('heartbeat', wrong)).json().code).toBe('SESSION_NOT_FOUND');
      expect((await h.licensing('release', wrong)).json().code).toBe('SESSION_NOT_FOUND');
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
    });

    it('counts one seat per machine on machine basis', async () => {
      const seed = await seedLicense(h, { seats: 2, seatBasis: 'machine' });
      const a = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const b = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      expect(b.sessionId).not.toBe(a.sessionId);
      expect(b.seats.used).toBe(1);
      // Three copies on one machine are still one seat: the second is left for another machine.
      expect(expectStatus(await acquire(seed, 'machine-aaaa'), 200).seats.used).toBe(1);
      expect(expectStatus(await acquire(seed, 'machine-bbbb'), 200).seats.used).toBe(2);
      const refused = await acquire(seed, 'machine-cccc');
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ seatsUsed: 2, seatsTotal: 2 });
      expect(expectStatus(await h.admin('GET', `/licenses/${seed.licenseId}`), 200).seatsInUse).toBe(2);
      // The machine keeps its seat while any of its sessions lives.
      expectStatus(await h.licensing('release', { sessionId: a.sessionId, sessionSecret: a.sessionSecret }), 200);
      expect((await acquire(seed, 'machine-cccc')).statusCode).toBe(409);
    });

    it('counts every running copy on session basis', async () => {
      const seed = await seedLicense(h, { seats: 2, seatBasis: 'session' });
      expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      expect((await acquire(seed, 'machine-aaaa')).statusCode).toBe(409);
    });

    it('returns the same session for a repeated idempotency key, and refuses it from another machine', async () => {
      const seed = await seedLicense(h, { seats: 1, seatBasis: 'session' });
      const a = expectStatus(await acquire(seed, 'machine-aaaa', { idempotencyKey: 'start-0001' }), 200);
      const again = expectStatus(await acquire(seed, 'machine-aaaa', { idempotencyKey: 'start-0001' }), 200);
      expect(again.sessionId).toBe(a.sessionId);
      expect(again.reused).toBe(true);
      expect(again.seats.used).toBe(1);
      // The newest secret is the one that works.
      expectStatus(await h.licensing('heartbeat', { sessionId: a.sessionId, sessionSecret: again.sessionSecret }), 200);
      const other = await acquire(seed, 'machine-bbbb', { idempotencyKey: 'start-0001' });
      expect(other.json().code).toBe('ALREADY_EXISTS');
    });

    it('allows the overage on top of the seats, and no more', async () => {
      const seed = await seedLicense(h, { seats: 2, overage: 1 });
      for (const fp of ['machine-aaaa', 'machine-bbbb', 'machine-cccc']) expectStatus(await acquire(seed, fp), 200);
      const refused = await acquire(seed, 'machine-dddd');
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ seatsUsed: 3, seatsTotal: 2, overage: 1 });
    });

    it('tells a refused caller who holds the seats and when the next frees', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      expectStatus(await acquire(seed, 'machine-aaaa', { hostname: 'alice-laptop' }), 200);
      h.clock.advance(100);
      const refused = await acquire(seed, 'machine-bbbb');
      const body = refused.json();
      expect(body.holders).toEqual([expect.objectContaining({ hostname: 'alice-laptop' })]);
      expect(body.nextFreeAt).toBe(new Date(h.clock.now().getTime() + 260_000).toISOString());
      expect(refused.headers['retry-after']).toBe('260');
    });

    it('enforces license status and expiry on acquire and at the next heartbeat', async () => {
      const expiresAt = new Date(h.clock.now().getTime() + 86_400_000);
      const seed = await seedLicense(h, { seats: 5 }, { expiresAt: expiresAt.toISOString() });
      const a = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const creds = { sessionId: a.sessionId, sessionSecret: a.sessionSecret };
      expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/suspend`, {}), 200);
      expect((await acquire(seed, 'machine-bbbb')).json().code).toBe('LICENSE_SUSPENDED');
      expect((await h.licensing('heartbeat', creds)).json().code).toBe('LICENSE_SUSPENDED');
      expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/reinstate`, {}), 200);
      const b = expectStatus(await acquire(seed, 'machine-bbbb'), 200);
      // Expired from the moment it names, not one later: the millisecond before still opens it.
      h.clock.set(new Date(expiresAt.getTime() - 1));
      expectStatus(await acquire(seed, 'machine-dddd'), 200);
      h.clock.set(expiresAt);
      expect((await acquire(seed, 'machine-cccc')).json().code).toBe('LICENSE_EXPIRED');
      expect((await h.licensing('heartbeat', { sessionId: b.sessionId, sessionSecret: b.sessionSecret })).json().code).toBe('LICENSE_EXPIRED');
      expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/revoke`, {}), 200);
      expect((await acquire(seed, 'machine-cccc')).json().code).toBe('LICENSE_REVOKED');
    });

    it('stops opening the license with a rotated key at once, though the key was just used', async () => {
      const seed = await seedLicense(h, { seats: 5 });
      expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      expect(expectStatus(await h.licensing('validate', { product: seed.productCode, licenseKey: seed.key }), 200).valid).toBe(true);
      const rotated = expectStatus(await h.admin('POST', `/licenses/${seed.licenseId}/rotate-key`), 200);
      expect(expectStatus(await h.licensing('validate', { product: seed.productCode, licenseKey: seed.key }), 200)).toMatchObject({
        valid: false,
        code: 'LICENSE_NOT_FOUND',
      });
      const old = await acquire(seed, 'machine-bbbb');
      expect(old.statusCode).toBe(404);
      expect(old.json().code).toBe('LICENSE_NOT_FOUND');
      expectStatus(await h.licensing('acquire', acquireBody({ ...seed, key: rotated.key }, 'machine-bbbb')), 200);
    });

    it('lets an administrator force-release a seat, but not one bound to another organisation', async () => {
      const seed = await seedLicense(h, { seats: 1 });
      const a = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const live = expectStatus(await h.admin('GET', `/sessions?licenseId=${seed.licenseId}`), 200);
      expect(live.data.map((s: { id: string }) => s.id)).toEqual([a.sessionId]);
      const elsewhere = await seedLicense(h, { seats: 1 });
      const key = expectStatus(
        await h.admin('POST', '/api-keys', { name: 'another organisation', organisationId: elsewhere.organisationId, scopes: ['sessions:write'] }),
        201,
      ).secret;
      expect((await h.admin('POST', `/sessions/${a.sessionId}/release`, undefined, key)).statusCode).toBe(404);
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
      expectStatus(await h.admin('POST', `/sessions/${a.sessionId}/release`), 200);
      expectStatus(await acquire(seed, 'machine-bbbb'), 200);
      expect((await h.licensing('heartbeat', { sessionId: a.sessionId, sessionSecret: a.sessionSecret })).json().code).toBe('SESSION_NOT_FOUND');
    });

    it('holds a borrowed seat until the borrow ends, and frees it on return', async () => {
      const seed = await seedLicense(h, { seats: 1, maxBorrowSeconds: 7 * 86_400 });
      const a = expectStatus(await acquire(seed, 'machine-aaaa'), 200);
      const creds = { sessionId: a.sessionId, sessionSecret: a.sessionSecret };
      expect((await h.licensing('borrow', { ...creds, durationSeconds: 8 * 86_400 })).json().code).toBe('BORROW_NOT_ALLOWED');
      const borrowed = expectStatus(await h.licensing('borrow', { ...creds, durationSeconds: 2 * 86_400 }), 200);
      expect(borrowed.borrowedUntil).toBe(new Date(h.clock.now().getTime() + 2 * 86_400_000).toISOString());
      h.clock.advance(86_400);
      expect((await acquire(seed, 'machine-bbbb')).statusCode).toBe(409);
      expectStatus(await h.licensing('return', creds), 200);
      expectStatus(await acquire(seed, 'machine-bbbb'), 200);
    });

    it('reaps expired sessions and records each in the audit log', async () => {
      const seed = await seedLicense(h, { seats: 3 });
      for (const fp of ['machine-aaaa', 'machine-bbbb']) expectStatus(await acquire(seed, fp), 200);
      h.clock.advance(361);
      const reaped = await h.services.seats.reapExpired({ requestId: null, ip: null, actor: { type: 'system', id: 'test' } });
      expect(reaped).toBeGreaterThanOrEqual(2);
      const events = expectStatus(await h.admin('GET', `/audit?action=seat.expired&organisationId=${seed.organisationId}`), 200);
      expect(events.data).toHaveLength(2);
    });
  });
}
