import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

/** The SQL store signs after its commit: a failing signer answers 503, holds nothing more than it granted, and a retry gets the same session. */
describe('sql seat store: a signer that fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite');
  });
  afterAll(() => h?.close());

  it('answers 503, and the retry with the same idempotency key gets the recorded session', async () => {
    const seed = await seedLicense(h, { seats: 2, seatBasis: 'session' });
    const spy = vi.spyOn(h.services.tokens, 'issue').mockRejectedValueOnce(new Error('signer down'));
    const failed = await h.licensing('acquire', acquireBody(seed, 'machine-aaaa', { idempotencyKey: 'start-sign-1' }));
    spy.mockRestore();
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBeDefined();
    const retried = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa', { idempotencyKey: 'start-sign-1' })), 200);
    expect(retried.reused).toBe(true);
    expect(retried.seats.used).toBe(1);
    expectStatus(await h.licensing('heartbeat', { sessionId: retried.sessionId, sessionSecret: retried.sessionSecret }), 200);
    expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-bbbb')), 200);
    expect((await h.licensing('acquire', acquireBody(seed, 'machine-cccc'))).statusCode).toBe(409);
  });
});
