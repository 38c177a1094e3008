import { newId } from '@leasehold/protocol/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { ADMIN_KEY, acquireBody, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';
import { snapshot } from '../support/snapshot.js';

for (const driver of DRIVERS) {
  describe(`bad input on ${driver}`, () => {
    let h: Harness;
    let seed: SeededLicense;
    let before: string;
    const raw = (url: string, payload: string, contentType = 'application/json', admin = false) =>
      h.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) } });

    beforeAll(async () => {
      h = await createHarness(driver, { env: { LEASEHOLD_BODY_LIMIT_BYTES: '4096' } });
      seed = await seedLicense(h, { seats: 2 });
      expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
      before = await snapshot(h);
    });
    afterAll(async () => {
      expect(await snapshot(h)).toBe(before);
      await h.close();
    });

    const expectProblem = (
      answer: { statusCode: number; headers: Record<string, unknown>; json(): { code: string; requestId: string; detail: string } },
      status: number,
      code: string,
    ) => {
      expect(answer.statusCode).toBe(status);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      const body = answer.json();
      expect(body.code).toBe(code);
      expect(body.requestId).toBe(answer.headers['x-request-id']);
      return body;
    };

    it('malformed JSON', async () => {
      expectProblem(await raw('/api/v1/licenses/acquire', '{"product": "x",'), 400, 'MALFORMED_REQUEST');
      expectProblem(await raw('/api/v1/admin/products', '{nope', 'application/json', true), 400, 'MALFORMED_REQUEST');
    });

    it('a body that is not JSON', async () => {
      expectProblem(await raw('/api/v1/licenses/acquire', 'product=x', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('wrong types, naming the field', async () => {
      const body = expectProblem(await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), hostname: 42 }), 400, 'VALIDATION_FAILED');
      expect(body.detail).toContain('body.hostname');
      const plan = expectProblem(
        await h.admin('POST', '/plans', { productId: seed.productId, code: 'p2', name: 'P', seats: '10' }),
        400,
        'VALIDATION_FAILED',
      ) as unknown as {
        errors: { path: string }[];
      };
      expect(plan.errors.map((e) => e.path)).toContain('body.seats');
      expectProblem(await h.admin('PATCH', `/licenses/${seed.licenseId}`, { seats: -1 }), 400, 'VALIDATION_FAILED');
      expectProblem(
        await h.admin('POST', '/plans', { productId: seed.productId, code: 'p3', name: 'P', leaseTtlSeconds: 60, heartbeatIntervalSeconds: 60 }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(await h.admin('GET', '/licenses?limit=100000'), 400, 'VALIDATION_FAILED');
    });

    it('an oversize body', async () => {
      const huge = JSON.stringify({ ...acquireBody(seed, 'machine-bbbb'), hostname: 'h'.repeat(10_000) });
      expectProblem(await raw('/api/v1/licenses/acquire', huge), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('unknown fields, including ones that would set what the caller does not own', async () => {
      const body = expectProblem(await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), seats: 1000 }), 400, 'VALIDATION_FAILED');
      expect(body.detail).toMatch(/seats/);
      expectProblem(await h.admin('PATCH', `/licenses/${seed.licenseId}`, { status: 'active' }), 400, 'VALIDATION_FAILED');
      expectProblem(await h.admin('PATCH', `/licenses/${seed.licenseId}`, { organisationId: newId('organisation') }), 400, 'VALIDATION_FAILED');
      expectProblem(await h.admin('POST', '/products', { code: 'new-product', name: 'N', id: 'prd_mine' }), 400, 'VALIDATION_FAILED');
    });

    it('bad IDs', async () => {
      expectProblem(await h.admin('GET', '/licenses/not-an-id'), 400, 'VALIDATION_FAILED');
      expectProblem(await h.admin('GET', `/licenses/${seed.organisationId}`), 400, 'VALIDATION_FAILED');
      expectProblem(await h.admin('GET', `/licenses/${newId('license')}`), 404, 'NOT_FOUND');
      expectProblem(await h.admin('POST', '/licenses', { organisationId: 'org_123', planId: seed.planId }), 400, 'VALIDATION_FAILED');
      expectProblem(await h.admin('POST', '/licenses', { organisationId: newId('organisation'), planId: seed.planId }), 404, 'NOT_FOUND');
      expectProblem(await h.licensing('heartbeat', { sessionId: 'ses_nope', sessionSecret: 'x'.repeat(43) }), 400, 'VALIDATION_FAILED');
    });

    it('bad license keys: malformed, mistyped, unknown, of another product', async () => {
      const malformed = expectProblem(await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), licenseKey: 'ABC' }), 400, 'INVALID_LICENSE_KEY');
      expect(malformed.detail).toContain('five groups of five');
      const last = seed.key.at(-1) === '0' ? '1' : '0';
      const typo = expectProblem(
        await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), licenseKey: seed.key.slice(0, -1) + last }),
        400,
        'INVALID_LICENSE_KEY',
      );
      expect(typo.detail).toContain('typing mistake');
      const other = await seedLicense(h);
      const afterSeed = await snapshot(h);
      expectProblem(await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), licenseKey: other.key }), 404, 'LICENSE_NOT_FOUND');
      expectProblem(await h.licensing('acquire', { ...acquireBody(seed, 'machine-bbbb'), product: 'no-such-product' }), 404, 'LICENSE_NOT_FOUND');
      expect(await snapshot(h)).toBe(afterSeed);
      before = afterSeed;
    });

    it('an unknown route and a wrong method', async () => {
      expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/nothing' }), 404, 'ROUTE_NOT_FOUND');
      expectProblem(await h.app.inject({ method: 'GET', url: '/api/v1/licenses/acquire' }), 404, 'ROUTE_NOT_FOUND');
    });

    it('accepts a key typed in lower case with look-alike letters', async () => {
      const typed = seed.key.toLowerCase().replaceAll('0', 'o').replaceAll('1', 'l');
      const answer = expectStatus(await h.licensing('validate', { product: seed.productCode, licenseKey: typed }), 200);
      expect(answer.valid).toBe(true);
    });
  });
}
