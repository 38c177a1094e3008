import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';

/** The license key and session secret in headers (`Authorization: License`, `Leasehold-Session-Secret`) beside the body fields. */
describe('licensing credentials in headers', () => {
  let h: Harness;
  let seed: SeededLicense;
  let other: SeededLicense;
  const post = (action: string, body: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/licenses/${action}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const seatsUsed = async () =>
    expectStatus(await post('validate', { product: seed.productCode }, { authorization: `License ${seed.key}` }), 200).license.seats.used;

  beforeAll(async () => {
    h = await createHarness('pglite');
    seed = await seedLicense(h, { seats: 2, maxBorrowSeconds: 3600 });
    other = await seedLicense(h);
  });
  afterAll(async () => h.close());

  it('acquire, heartbeat, borrow, return and release work with the header forms only', async () => {
    // Lower case: the header key is normalised like a typed one.
    const typed = seed.key.toLowerCase();
    const seat = expectStatus(
      await post('acquire', { product: seed.productCode, fingerprint: 'header-machine-a' }, { authorization: `license  ${typed}` }),
      200,
    );
    expect(await seatsUsed()).toBe(1);
    const secret = { 'leasehold-session-secret': seat.sessionSecret };
    expectStatus(await post('heartbeat', { sessionId: seat.sessionId }, secret), 200);
    expectStatus(await post('borrow', { sessionId: seat.sessionId, durationSeconds: 600 }, secret), 200);
    expectStatus(await post('return', { sessionId: seat.sessionId }, secret), 200);
    const again = expectStatus(
      await post('acquire', { product: seed.productCode, fingerprint: 'header-machine-a' }, { authorization: `License ${seed.key}` }),
      200,
    );
    expectStatus(await post('release', { sessionId: again.sessionId }, { 'leasehold-session-secret': again.sessionSecret }), 200);
    expect(await seatsUsed()).toBe(0);
  });

  it('still accepts the body forms, and both forms when they agree', async () => {
    const seat = expectStatus(
      await post('acquire', { product: seed.productCode, licenseKey: seed.key, fingerprint: 'body-machine' }, { authorization: `License ${seed.key}` }),
      200,
    );
    expectStatus(await post('heartbeat', { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret }), 200);
    expectStatus(
      await post('release', { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret }, { 'leasehold-session-secret': seat.sessionSecret }),
      200,
    );
  });

  it('refuses with 400 and takes no seat when the body and the header differ', async () => {
    const mixed = await post(
      'acquire',
      { product: seed.productCode, licenseKey: seed.key, fingerprint: 'mixed-machine' },
      { authorization: `License ${other.key}` },
    );
    expect(mixed.statusCode).toBe(400);
    expect(mixed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(mixed.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.licenseKey' }] });
    expect(await seatsUsed()).toBe(0);

    const seat = expectStatus(
      await post('acquire', { product: seed.productCode, fingerprint: 'mixed-machine' }, { authorization: `License ${seed.key}` }),
      200,
    );
    const differing = await post('release', { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret }, { 'leasehold-session-secret': 'y'.repeat(43) });
    expect(differing.statusCode).toBe(400);
    expect(differing.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.sessionSecret' }] });
    expect(await seatsUsed()).toBe(1);
    expectStatus(await post('release', { sessionId: seat.sessionId }, { 'leasehold-session-secret': seat.sessionSecret }), 200);
  });

  it('answers a bad or missing header credential with a 4xx naming it', async () => {
    const typo = `${seed.key.slice(0, -1)}${seed.key.endsWith('0') ? '1' : '0'}`;
    const badKey = await post('acquire', { product: seed.productCode, fingerprint: 'bad-machine' }, { authorization: `License ${typo}` });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json()).toMatchObject({ code: 'INVALID_LICENSE_KEY', errors: [{ path: 'headers.authorization' }] });
    const noSecret = await post('heartbeat', { sessionId: 'ses_01jf4a2d4e5f6g7h8j9k0m1n2p' });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.sessionSecret' }] });
    const shortSecret = await post('heartbeat', { sessionId: 'ses_01jf4a2d4e5f6g7h8j9k0m1n2p' }, { 'leasehold-session-secret': 'short' });
    expect(shortSecret.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'headers.leasehold-session-secret' }] });
    const nothing = await post('validate', {});
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.licenseKey' }] });
    const noProduct = await post('validate', {}, { authorization: `License ${seed.key}` });
    expect(noProduct.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.product' }] });
    expect(await seatsUsed()).toBe(0);
  });
});
