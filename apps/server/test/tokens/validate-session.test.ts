import { afterAll, beforeAll, expect, it } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';

let h: Harness;
let seed: SeededLicense;
beforeAll(async () => {
  h = await createHarness('pglite');
  seed = await seedLicense(h, { seats: 2, leaseTtlSeconds: 120, heartbeatIntervalSeconds: 30 });
});
afterAll(() => h.close());

it('validate answers that a released session no longer holds a seat, though its token still verifies', async () => {
  const seat = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-release')), 200);
  const live = expectStatus(await h.licensing('validate', { leaseToken: seat.leaseToken }), 200);
  expect(live).toMatchObject({ valid: true, code: null, license: { id: seed.licenseId } });

  expectStatus(await h.licensing('release', { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret }), 200);
  const after = expectStatus(await h.licensing('validate', { leaseToken: seat.leaseToken }), 200);
  expect(after).toMatchObject({ valid: false, code: 'SESSION_NOT_FOUND', license: { id: seed.licenseId, status: 'active' } });
  expect(after.detail).toMatch(/no longer held/);
});

it('validate answers that a session past its lease without a heartbeat has ended', async () => {
  const seat = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-lapse')), 200);
  h.clock.advance(121);
  const after = expectStatus(await h.licensing('validate', { leaseToken: seat.leaseToken }), 200);
  expect(after).toMatchObject({ valid: false, code: 'SESSION_EXPIRED' });
});
