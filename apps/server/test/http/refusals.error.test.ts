import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';
import { snapshot } from '../support/snapshot.js';

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string; json(): Record<string, unknown> };

/** The refusals an outsider can provoke without credentials, each a 4xx of the right shape that changes nothing. */
describe('refusals', () => {
  let h: Harness;
  let seed: SeededLicense;
  const form = (url: string, payload: string) =>
    h.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const json = (url: string, payload: string, admin = false) =>
    h.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) } });
  const expectOAuth = (answer: Answer, error: string, mentions?: string) => {
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.headers['content-type']).toContain('application/json');
    const body = answer.json();
    expect(body.error).toBe(error);
    if (mentions) expect(String(body.error_description)).toContain(mentions);
  };
  const expectProblem = (answer: Answer, status: number, code: string, mentions?: string) => {
    expect(answer.statusCode, answer.body).toBe(status);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    const body = answer.json();
    expect(body.code).toBe(code);
    expect(body.status).toBe(status);
    expect(body.requestId).toBe(answer.headers['x-request-id']);
    if (mentions) expect(String(body.detail)).toContain(mentions);
    return body;
  };

  beforeAll(async () => {
    h = await createHarness('pglite', { env: { LEASEHOLD_RATE_LIMIT_AUTH_PER_MINUTE: '100000' } });
    seed = await seedLicense(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('OAuth endpoints answer RFC 6749 errors, never a 5xx', async () => {
    const before = await snapshot(h);
    expectOAuth(await form('/auth/token', ''), 'invalid_request', 'grant_type');
    expectOAuth(await form('/auth/token', 'client_id=leasehold-cli'), 'invalid_request', 'grant_type');
    expectOAuth(await form('/auth/token', `grant_type=refresh_token&refresh_token=${'r'.repeat(600)}`), 'invalid_request', 'refresh_token');
    expectOAuth(await form('/auth/token', 'grant_type=refresh_token&refresh_token=rtk_unknown'), 'invalid_grant');
    expectOAuth(await form('/auth/token', 'grant_type=password'), 'unsupported_grant_type');
    expectOAuth(await json('/auth/token', '{"grant_type":'), 'invalid_request');
    expectOAuth(await json('/auth/token', '{"grant_type":"refresh_token","__proto__":{"x":1}}'), 'invalid_request', '__proto__');
    expectOAuth(await form('/auth/device/code', ''), 'invalid_request', 'client_id');
    expectOAuth(await h.app.inject({ method: 'POST', url: '/auth/device/code' }), 'invalid_request');
    expectOAuth(await form('/auth/logout', `refresh_token=${'r'.repeat(600)}`), 'invalid_request', 'refresh_token');
    expect(await snapshot(h)).toBe(before);
  });

  it('every refused license state change is 409 INVALID_STATE problem+json with the request ID', async () => {
    const action = (name: string) => h.admin('POST', `/licenses/${seed.licenseId}/${name}`, {});
    expectProblem(await action('reinstate'), 409, 'INVALID_STATE', 'active');
    expectStatus(await action('suspend'), 200);
    const twice = expectProblem(await action('suspend'), 409, 'INVALID_STATE');
    expect(twice.licenseStatus).toBe('suspended');
    expectStatus(await action('revoke'), 200);
    const before = await snapshot(h);
    for (const name of ['suspend', 'reinstate', 'revoke']) expectProblem(await action(name), 409, 'INVALID_STATE', 'revoked');
    expectProblem(await h.admin('POST', `/licenses/${seed.licenseId}/renew`, { extendDays: 30 }), 409, 'INVALID_STATE');
    expectProblem(await h.admin('POST', `/licenses/${seed.licenseId}/rotate-key`), 409, 'INVALID_STATE');
    expectProblem(await h.admin('PATCH', `/licenses/${seed.licenseId}`, { seats: 3 }), 409, 'INVALID_STATE');
    expect(await snapshot(h)).toBe(before);
  });

  it('validate without a key or a token names the field', async () => {
    const empty = expectProblem(await h.licensing('validate', { leaseToken: '' }), 400, 'VALIDATION_FAILED', 'body.leaseToken');
    expect(empty.errors).toEqual([expect.objectContaining({ path: 'body.leaseToken' })]);
    expectProblem(await h.licensing('validate', {}), 400, 'VALIDATION_FAILED', 'body.licenseKey');
    expectProblem(await h.licensing('validate', { product: seed.productCode }), 400, 'VALIDATION_FAILED', 'body.licenseKey');
    expectProblem(await h.licensing('validate', { product: seed.productCode, licenseKey: '' }), 400, 'INVALID_LICENSE_KEY', 'body.licenseKey');
    expectProblem(await h.licensing('validate', { licenseKey: seed.key }), 400, 'VALIDATION_FAILED', 'body.product');
  });

  it('a cursor that no page gave is refused naming the parameter', async () => {
    for (const url of [
      '/licenses?cursor=zzz',
      '/sessions?cursor=zzz',
      '/audit?cursor=abc',
      '/audit?cursor=-5',
      '/products?cursor=lic_0',
      '/organisations?cursor=x',
      '/plans?cursor=x',
      '/api-keys?cursor=x',
      `/licenses/${seed.licenseId}/billing?cursor=x`,
    ]) {
      const body = expectProblem(await h.admin('GET', url), 400, 'VALIDATION_FAILED', 'querystring.cursor');
      expect(body.errors).toEqual([expect.objectContaining({ path: 'querystring.cursor' })]);
    }
    const page = expectStatus(await h.admin('GET', '/audit?limit=1'), 200);
    expectStatus(await h.admin('GET', `/audit?limit=1&cursor=${page.nextCursor}`), 200);
  });

  it('prototype keys are refused naming the field', async () => {
    const before = await snapshot(h);
    const body = expectProblem(await json('/api/v1/admin/organisations', '{"name":"Evil","__proto__":{"admin":true}}', true), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'body.__proto__', message: expect.stringContaining('reserved') }]);
    expectProblem(await json('/api/v1/licenses/validate', '{"constructor":{"prototype":{}}}'), 400, 'VALIDATION_FAILED', 'body.constructor');
    const nested = await h.admin('PATCH', `/organisations/${seed.organisationId}`, JSON.parse('{"metadata":{"a":{"__proto__":1}}}'));
    expectProblem(nested, 400, 'VALIDATION_FAILED', 'body.metadata.a.__proto__');
    expectProblem(await h.admin('GET', '/licenses?__proto__=1'), 400, 'VALIDATION_FAILED', 'querystring.__proto__');
    expectProblem(await h.licensing('validate', { product: 'a\u0000b', leaseToken: 'x' }), 400, 'VALIDATION_FAILED', 'body.product');
    expect(await snapshot(h)).toBe(before);
  });

  it('an unsigned Stripe delivery is 400, as documented', async () => {
    const answer = await h.app.inject({ method: 'POST', url: '/webhooks/stripe', payload: '{}', headers: { 'content-type': 'application/json' } });
    expectProblem(answer, 400, 'VALIDATION_FAILED', 'stripe-signature');
  });
});
