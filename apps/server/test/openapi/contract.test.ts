import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutCompleted, event } from '../billing/events.js';
import { type FakeStripe, startFakeStripe } from '../billing/fake-stripe.js';
import { cookiesOf, cookieValue, json, localServer, newUser, personalOrg, type TestUser } from '../identity/support.js';
import { ADMIN_KEY, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { Receiver } from '../webhooks/receiver.js';
import { ContractChecker } from './contract.js';
import { documentedHarness, fetchDocument } from './support.js';

const WEBHOOK_SECRET = 'whsec_contract_test_secret';
const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
const UNKNOWN = { license: 'lic_00000000000000000000000000', session: 'ses_00000000000000000000000000', product: 'prd_00000000000000000000000000' };

/**
 * Every operation of /openapi.json, called on a whole server (PGlite, fakes only for
 * GitHub and Stripe), once answering as it should and once refusing; each answer is
 * checked against the document: status, content type, body, required headers.
 */
describe('the API answers as its OpenAPI document says', { timeout: 60_000 }, () => {
  let h: Harness;
  let api: ContractChecker;
  let stripe: FakeStripe;
  let github: Awaited<ReturnType<typeof localServer>>;
  const githubCodes = new Map<string, string>();

  const body = (payload: unknown, headers: Record<string, string> = {}) => ({ headers: { ...JSON_HEADERS, ...headers }, payload: JSON.stringify(payload) });
  const admin = (key = ADMIN_KEY) => ({ authorization: `Bearer ${key}` });
  const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.accessToken}` });

  beforeAll(async () => {
    stripe = await startFakeStripe({});
    github = await localServer(async (req, res, text) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(text);
        const challenge = githubCodes.get(form.get('code') ?? '');
        const verifier = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (!challenge || challenge !== verifier) return json(res, 200, { error: 'bad_verification_code' });
        return json(res, 200, { access_token: 'gho_contract', token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (url.pathname === '/api/user') return json(res, 200, { id: 4242, login: 'octo', name: 'Octo Cat' });
      if (url.pathname === '/api/user/emails') return json(res, 200, [{ email: 'octo@contract.test', primary: true, verified: true }]);
      return json(res, 404, { message: 'Not Found' });
    });
    h = await documentedHarness({
      env: {
        LEASEHOLD_GITHUB_URL: github.url,
        LEASEHOLD_GITHUB_API_URL: `${github.url}/api`,
        STRIPE_SECRET_KEY: 'sk_test_leasehold',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: stripe.url,
        LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      },
    });
    api = new ContractChecker(h, await fetchDocument(h));
  });
  afterAll(async () => {
    await h.close();
    await stripe.close();
    await github.close();
  });

  it('for licensing: acquire, heartbeat, borrow, return, release, validate and the signing keys', async () => {
    const seed = await seedLicense(h, { seats: 1, maxBorrowSeconds: 3600 });
    const acquire = (fingerprint: string) =>
      api.call('POST /api/v1/licenses/acquire', { url: '/api/v1/licenses/acquire', ...body({ product: seed.productCode, licenseKey: seed.key, fingerprint }) });
    const seat = expectStatus(await acquire('contract-machine-a'), 200);
    const refused = expectStatus(await acquire('contract-machine-b'), 409);
    expect(refused).toMatchObject({ code: 'NO_SEAT_AVAILABLE', seatsUsed: 1, holders: [expect.objectContaining({ expiresAt: expect.any(String) })] });
    const credentials = { sessionId: seat.sessionId, sessionSecret: seat.sessionSecret };
    const wrong = { sessionId: seat.sessionId, sessionSecret: 'x'.repeat(43) };

    expectStatus(await api.call('POST /api/v1/licenses/heartbeat', { url: '/api/v1/licenses/heartbeat', ...body(credentials) }), 200);
    expectStatus(await api.call('POST /api/v1/licenses/heartbeat', { url: '/api/v1/licenses/heartbeat', ...body(wrong) }), 404);
    expectStatus(await api.call('POST /api/v1/licenses/borrow', { url: '/api/v1/licenses/borrow', ...body({ ...credentials, durationSeconds: 600 }) }), 200);
    expectStatus(await api.call('POST /api/v1/licenses/borrow', { url: '/api/v1/licenses/borrow', ...body({ ...credentials, durationSeconds: 7200 }) }), 403);
    expectStatus(await api.call('POST /api/v1/licenses/return', { url: '/api/v1/licenses/return', ...body(credentials) }), 200);
    expectStatus(await api.call('POST /api/v1/licenses/return', { url: '/api/v1/licenses/return', ...body({ sessionId: 'not-an-id' }) }), 400);
    const again = expectStatus(await acquire('contract-machine-a'), 200);
    expectStatus(
      await api.call('POST /api/v1/licenses/release', {
        url: '/api/v1/licenses/release',
        ...body({ sessionId: again.sessionId, sessionSecret: again.sessionSecret }),
      }),
      200,
    );
    expectStatus(await api.call('POST /api/v1/licenses/release', { url: '/api/v1/licenses/release', headers: JSON_HEADERS, payload: '{"sessionId":' }), 400);
    expectStatus(
      await api.call('POST /api/v1/licenses/validate', { url: '/api/v1/licenses/validate', ...body({ product: seed.productCode, licenseKey: seed.key }) }),
      200,
    );
    const typo = `${seed.key.slice(0, -1)}${seed.key.endsWith('0') ? '1' : '0'}`;
    const malformed = expectStatus(
      await api.call('POST /api/v1/licenses/validate', { url: '/api/v1/licenses/validate', ...body({ product: seed.productCode, licenseKey: typo }) }),
      400,
    );
    expect(malformed.code).toBe('INVALID_LICENSE_KEY');
    expectStatus(await api.call('GET /.well-known/jwks.json', { url: '/.well-known/jwks.json' }), 200);
    expectStatus(await api.call('GET /.well-known/jwks.json', { url: '/.well-known/jwks.json?kid=x' }), 400);
    expectStatus(await api.call('GET /.well-known/leasehold-keyset.jws', { url: '/.well-known/leasehold-keyset.jws' }), 200);
    expectStatus(await api.call('GET /.well-known/leasehold-keyset.jws', { url: '/.well-known/leasehold-keyset.jws?kid=x' }), 400);
  });

  it('for administration: products, plans, organisations, licenses, sessions, audit, API keys and billing', async () => {
    const call = (key: string, url: string, extra: Record<string, unknown> = {}, credential = ADMIN_KEY) =>
      api.call(key, {
        url: `/api/v1/admin${url}`,
        headers: { ...admin(credential), ...((extra.headers as object) ?? {}) },
        ...(extra.payload ? { payload: extra.payload as string } : {}),
      });
    const send = (key: string, url: string, payload: unknown, credential = ADMIN_KEY) => call(key, url, body(payload), credential);

    const limited = expectStatus(await send('POST /api/v1/admin/api-keys', '/api-keys', { name: 'Reader', scopes: ['licenses:read'] }), 201).secret;
    expectStatus(await send('POST /api/v1/admin/api-keys', '/api-keys', { name: 'Nothing', scopes: [] }), 400);
    expectStatus(await call('GET /api/v1/admin/api-keys', '/api-keys'), 200);
    expectStatus(await call('GET /api/v1/admin/api-keys', '/api-keys', {}, limited), 403);
    const spare = expectStatus(await send('POST /api/v1/admin/api-keys', '/api-keys', { name: 'Spare', scopes: ['*'] }), 201);
    expectStatus(await call('POST /api/v1/admin/api-keys/{id}/revoke', `/api-keys/${spare.id}/revoke`), 200);
    expectStatus(await call('POST /api/v1/admin/api-keys/{id}/revoke', '/api-keys/key_00000000000000000000000000/revoke'), 404);

    const product = expectStatus(await send('POST /api/v1/admin/products', '/products', { code: 'contract-product', name: 'Contract' }), 201);
    expectStatus(await send('POST /api/v1/admin/products', '/products', { code: 'contract-product', name: 'Again' }), 409);
    expectStatus(await call('GET /api/v1/admin/products', '/products'), 200);
    expectStatus(await call('GET /api/v1/admin/products', '/products?limit=0'), 400);
    expectStatus(await call('GET /api/v1/admin/products/{id}', `/products/${product.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/products/{id}', `/products/${UNKNOWN.product}`), 404);
    expectStatus(await send('PATCH /api/v1/admin/products/{id}', `/products/${product.id}`, { name: 'Contract Studio' }), 200);
    expectStatus(await send('PATCH /api/v1/admin/products/{id}', `/products/${product.id}`, { name: 'X' }, 'lh_not-a-key-at-all-0123456789'), 401);

    const plan = expectStatus(
      await send('POST /api/v1/admin/plans', '/plans', { productId: product.id, code: 'team', name: 'Team', seats: 3, stripePriceId: 'price_contract_team' }),
      201,
    );
    const unsold = expectStatus(await send('POST /api/v1/admin/plans', '/plans', { productId: product.id, code: 'free', name: 'Free' }), 201);
    expectStatus(
      await send('POST /api/v1/admin/plans', '/plans', { productId: product.id, code: 'bad', name: 'Bad', leaseTtlSeconds: 30, heartbeatIntervalSeconds: 60 }),
      400,
    );
    expectStatus(await call('GET /api/v1/admin/plans', `/plans?productId=${product.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/plans', '/plans?productId=nope'), 400);
    expectStatus(await call('GET /api/v1/admin/plans/{id}', `/plans/${plan.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/plans/{id}', '/plans/pln_00000000000000000000000000'), 404);
    expectStatus(await send('PATCH /api/v1/admin/plans/{id}', `/plans/${plan.id}`, { seats: 4 }), 200);
    expectStatus(await send('PATCH /api/v1/admin/plans/{id}', `/plans/${plan.id}`, { colour: 'blue' }), 400);

    const org = expectStatus(await send('POST /api/v1/admin/organisations', '/organisations', { name: 'Contract Ltd' }), 201);
    expectStatus(await send('POST /api/v1/admin/organisations', '/organisations', { name: 'Nope' }, limited), 403);
    expectStatus(await call('GET /api/v1/admin/organisations', '/organisations'), 200);
    expectStatus(await call('GET /api/v1/admin/organisations', '/organisations', {}, 'lh_unknown-key-0123456789abcdef'), 401);
    expectStatus(await call('GET /api/v1/admin/organisations/{id}', `/organisations/${org.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/organisations/{id}', '/organisations/org_00000000000000000000000000'), 404);
    expectStatus(await send('PATCH /api/v1/admin/organisations/{id}', `/organisations/${org.id}`, { metadata: { crm: 'C-1' } }), 200);
    expectStatus(await send('PATCH /api/v1/admin/organisations/{id}', `/organisations/${org.id}`, { name: '' }), 400);

    const license = expectStatus(await send('POST /api/v1/admin/licenses', '/licenses', { organisationId: org.id, planId: plan.id }), 201);
    const doomed = expectStatus(await send('POST /api/v1/admin/licenses', '/licenses', { organisationId: org.id, planId: plan.id }), 201);
    expectStatus(await send('POST /api/v1/admin/licenses', '/licenses', { organisationId: 'org_00000000000000000000000000', planId: plan.id }), 404);
    expectStatus(await call('GET /api/v1/admin/licenses', `/licenses?organisationId=${org.id}&status=active`), 200);
    expectStatus(await call('GET /api/v1/admin/licenses', '/licenses?status=bogus'), 400);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}', `/licenses/${license.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}', '/licenses/not-an-id'), 400);
    expectStatus(await send('PATCH /api/v1/admin/licenses/{id}', `/licenses/${license.id}`, { seats: 5 }), 200);
    expectStatus(await send('PATCH /api/v1/admin/licenses/{id}', `/licenses/${license.id}`, { seats: 6 }, limited), 403);
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/suspend', `/licenses/${license.id}/suspend`, { reason: 'Invoice 2030-014 unpaid' }), 200);
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/reinstate', `/licenses/${license.id}/reinstate`, {}), 200);
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/revoke', `/licenses/${doomed.id}/revoke`, {}), 200);
    const refused = expectStatus(await send('POST /api/v1/admin/licenses/{id}/suspend', `/licenses/${doomed.id}/suspend`, {}), 409);
    expect(refused).toMatchObject({ code: 'INVALID_STATE', licenseStatus: 'revoked' });
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/reinstate', `/licenses/${doomed.id}/reinstate`, {}), 409);
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/revoke', `/licenses/${doomed.id}/revoke`, {}), 409);
    expectStatus(await call('POST /api/v1/admin/licenses/{id}/rotate-key', `/licenses/${license.id}/rotate-key`), 200);
    expectStatus(await call('POST /api/v1/admin/licenses/{id}/rotate-key', `/licenses/${doomed.id}/rotate-key`), 409);
    expectStatus(await send('POST /api/v1/admin/licenses/{id}/renew', `/licenses/${license.id}/renew`, { extendDays: 365 }), 200);
    expectStatus(
      await send('POST /api/v1/admin/licenses/{id}/renew', `/licenses/${license.id}/renew`, { extendDays: 1, expiresAt: '2031-01-01T00:00:00Z' }),
      400,
    );
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/billing', `/licenses/${license.id}/billing`), 200);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/billing', `/licenses/${UNKNOWN.license}/billing`), 404);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/queue', `/licenses/${license.id}/queue`), 200);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/queue', `/licenses/${UNKNOWN.license}/queue`), 404);

    const rotated = expectStatus(await call('POST /api/v1/admin/licenses/{id}/rotate-key', `/licenses/${license.id}/rotate-key`), 200);
    const seat = expectStatus(await h.licensing('acquire', { product: 'contract-product', licenseKey: rotated.key, fingerprint: 'contract-machine-c' }), 200);
    expectStatus(await call('GET /api/v1/admin/sessions', `/sessions?licenseId=${license.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/sessions', '/sessions?licenseId=lic_short'), 400);
    expectStatus(await call('POST /api/v1/admin/sessions/{id}/release', `/sessions/${seat.sessionId}/release`), 200);
    expectStatus(await call('POST /api/v1/admin/sessions/{id}/release', `/sessions/${UNKNOWN.session}/release`), 404);

    const rule = expectStatus(
      await send('POST /api/v1/admin/ci-mappings', '/ci-mappings', { licenseId: license.id, repository: 'acme/*', maxConcurrent: 2 }),
      201,
    );
    expectStatus(await send('POST /api/v1/admin/ci-mappings', '/ci-mappings', { licenseId: license.id, repository: 'has spaces' }), 400);
    expectStatus(await call('GET /api/v1/admin/ci-mappings', `/ci-mappings?licenseId=${license.id}`), 200);
    expectStatus(await call('GET /api/v1/admin/ci-mappings', '/ci-mappings?licenseId=lic_short'), 400);
    expectStatus(await call('DELETE /api/v1/admin/ci-mappings/{id}', `/ci-mappings/${rule.id}`), 200);
    expectStatus(await call('DELETE /api/v1/admin/ci-mappings/{id}', `/ci-mappings/${rule.id}`), 404);

    expectStatus(await call('GET /api/v1/admin/audit', `/audit?targetId=${license.id}&limit=5`), 200);
    expectStatus(await call('GET /api/v1/admin/audit', '/audit?from=yesterday'), 400);
    const exported = await call('GET /api/v1/admin/audit/export', `/audit/export?targetId=${license.id}`);
    expect(exported.statusCode).toBe(200);
    expectStatus(await call('GET /api/v1/admin/audit/export', '/audit/export', {}, 'lh_unknown-key-0123456789abcdef'), 401);
    expectStatus(await call('GET /api/v1/admin/audit/verify', '/audit/verify'), 200);
    expectStatus(await call('GET /api/v1/admin/audit/verify', '/audit/verify', {}, limited), 403);

    expectStatus(
      await send('POST /api/v1/admin/organisations/{id}/billing/checkout', `/organisations/${org.id}/billing/checkout`, { planId: plan.id, quantity: 3 }),
      200,
    );
    expectStatus(await send('POST /api/v1/admin/organisations/{id}/billing/checkout', `/organisations/${org.id}/billing/checkout`, { planId: unsold.id }), 409);
    expectStatus(await call('POST /api/v1/admin/organisations/{id}/billing/portal', `/organisations/${org.id}/billing/portal`), 409);
    await deliverCheckout(org.id, 'cus_contract_admin', 'sub_contract_admin', 'price_contract_team');
    expectStatus(await call('POST /api/v1/admin/organisations/{id}/billing/portal', `/organisations/${org.id}/billing/portal`), 200);
  });

  it('for the dashboard: its session, the overview, members, live sessions, usage, staff and its pages', async () => {
    const call = (key: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
      api.call(key, {
        url,
        headers: { ...headers, ...(payload === undefined ? {} : JSON_HEADERS) },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });
    const unknownKey = admin('lh_unknown-key-0123456789abcdef');
    const seed = await seedLicense(h, { seats: 2 });
    expectStatus(await h.licensing('acquire', { product: seed.productCode, licenseKey: seed.key, fingerprint: 'contract-machine-live' }), 200);

    expectStatus(await call('GET /api/v1/admin/overview', '/api/v1/admin/overview', admin()), 200);
    expectStatus(await call('GET /api/v1/admin/overview', '/api/v1/admin/overview', unknownKey), 401);
    expectStatus(await call('GET /api/v1/admin/organisations/{id}/members', `/api/v1/admin/organisations/${seed.organisationId}/members`, admin()), 200);
    expectStatus(
      await call('GET /api/v1/admin/organisations/{id}/members', '/api/v1/admin/organisations/org_00000000000000000000000000/members', admin()),
      404,
    );
    const live = await call('GET /api/v1/admin/licenses/{id}/sessions/live', `/api/v1/admin/licenses/${seed.licenseId}/sessions/live`, admin());
    expect(live.statusCode).toBe(200);
    expect(JSON.parse(/^data: (.*)$/m.exec(live.body)?.[1] ?? '{}').data).toHaveLength(1);
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/sessions/live', `/api/v1/admin/licenses/${UNKNOWN.license}/sessions/live`, admin()), 404);

    const now = h.clock.now().getTime();
    const period = `from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`;
    expectStatus(await call('GET /api/v1/admin/licenses/{id}/usage', `/api/v1/admin/licenses/${seed.licenseId}/usage?${period}`, admin()), 200);
    const csv = await call('GET /api/v1/admin/licenses/{id}/usage', `/api/v1/admin/licenses/${seed.licenseId}/usage?${period}&format=csv`, admin());
    expect(csv.body.split('\n')[0]).toBe('start,seats,peak,average,denials,utilisation');
    expectStatus(
      await call(
        'GET /api/v1/admin/licenses/{id}/usage',
        `/api/v1/admin/licenses/${seed.licenseId}/usage?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`,
        admin(),
      ),
      400,
    );
    expectStatus(await call('GET /api/v1/admin/usage', `/api/v1/admin/usage?${period}&order=utilisation`, admin()), 200);
    expectStatus(await call('GET /api/v1/admin/usage', `/api/v1/admin/usage?${period}&order=seats`, admin()), 400);

    const person = await newUser(h, 'Staffer');
    expect(expectStatus(await call('POST /api/v1/admin/staff', '/api/v1/admin/staff', admin(), { userId: person.userId, staff: true }), 200)).toMatchObject({
      staff: true,
    });
    expectStatus(await call('POST /api/v1/admin/staff', '/api/v1/admin/staff', admin(), { email: 'nobody@contract.test', staff: true }), 404);

    const opened = await call('POST /dashboard/api/session', '/dashboard/api/session', {}, { apiKey: ADMIN_KEY });
    const session = expectStatus(opened, 200);
    expectStatus(await call('POST /dashboard/api/session', '/dashboard/api/session', {}, { apiKey: 'lh_unknown-key-0123456789abcdef' }), 401);
    const cookie = { cookie: `lh_admin=${cookieValue(cookiesOf(opened).get('lh_admin'))}` };
    expect(expectStatus(await call('GET /dashboard/api/session', '/dashboard/api/session', cookie), 200)).toMatchObject({ kind: 'api-key' });
    expectStatus(await call('GET /dashboard/api/session', '/dashboard/api/session'), 401);
    expectStatus(await call('DELETE /dashboard/api/session', '/dashboard/api/session', cookie), 403);
    expect(expectStatus(await call('DELETE /dashboard/api/session', '/dashboard/api/session', { ...cookie, 'x-csrf-token': session.csrfToken }), 200)).toEqual({
      signedOut: true,
    });

    expectStatus(await call('GET /dashboard/api/providers', '/dashboard/api/providers'), 200);
    expect((await call('GET /dashboard', '/dashboard')).statusCode).toBe(302);
    expect((await call('GET /dashboard/{path}', '/dashboard/')).statusCode).toBe(200);
    expectStatus(await call('GET /dashboard/{path}', '/dashboard/assets/gone-0000.js'), 404);
    // One address past the per-address limit: the pages and the provider list answer 429.
    const address = { remoteAddress: '203.0.113.77' };
    let limited = await h.app.inject({ method: 'GET', url: '/dashboard/api/providers', ...address });
    while (limited.statusCode !== 429) limited = await h.app.inject({ method: 'GET', url: '/dashboard/api/providers', ...address });
    expectStatus(await api.call('GET /dashboard/api/providers', { url: '/dashboard/api/providers', ...address }), 429);
    expectStatus(await api.call('GET /dashboard', { url: '/dashboard', ...address }), 429);
  });

  /** Stripe tells of a paid checkout for an organisation, through the webhook. */
  async function deliverCheckout(organisationId: string, customer: string, subscription: string, priceId: string) {
    const payload = JSON.stringify(
      event(
        'checkout.session.completed',
        checkoutCompleted({ customer, subscription, metadata: { organisationId, priceId, quantity: '2' } }),
        Math.floor(h.clock.now().getTime() / 1000),
      ),
    );
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(h.clock.now().getTime() / 1000) });
    const answer = expectStatus(
      await api.call('POST /webhooks/stripe', { url: '/webhooks/stripe', headers: { ...JSON_HEADERS, 'stripe-signature': signature }, payload }),
      200,
    );
    expect(answer).toEqual({ received: true, outcome: 'applied' });
  }

  it('for the Stripe webhook: a signed delivery, and an unsigned one', async () => {
    const owner = await newUser(h, 'Payer');
    await deliverCheckout(await personalOrg(h, owner), 'cus_contract_hook', 'sub_contract_hook', 'price_contract_team');
    expectStatus(await api.call('POST /webhooks/stripe', { url: '/webhooks/stripe', ...body({ id: 'evt_unsigned', type: 'invoice.paid' }) }), 400);
  });

  it('for signed-in people: me, members, invitations, seats and self-serve billing', async () => {
    const owner = await newUser(h, 'Owner');
    const joiner = await newUser(h, 'Joiner');
    const stranger = await newUser(h, 'Stranger');
    const orgId = await personalOrg(h, owner);
    const call = (key: string, url: string, user: TestUser | null, payload?: unknown, headers: Record<string, string> = {}) =>
      api.call(key, {
        url,
        headers: { ...(user ? bearer(user) : {}), ...(payload === undefined ? {} : JSON_HEADERS), ...headers },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });

    expectStatus(await call('GET /api/v1/me', '/api/v1/me', owner), 200);
    expectStatus(await call('GET /api/v1/me', '/api/v1/me', null), 401);
    const invited = expectStatus(await call('POST /api/v1/orgs/{orgId}/invitations', `/api/v1/orgs/${orgId}/invitations`, owner, { role: 'member' }), 201);
    expectStatus(await call('POST /api/v1/orgs/{orgId}/invitations', `/api/v1/orgs/${orgId}/invitations`, owner, { email: 'not an address' }), 400);
    const spare = expectStatus(await call('POST /api/v1/orgs/{orgId}/invitations', `/api/v1/orgs/${orgId}/invitations`, owner, {}), 201);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/invitations', `/api/v1/orgs/${orgId}/invitations`, owner), 200);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/invitations', `/api/v1/orgs/${orgId}/invitations`, null), 401);
    expectStatus(await call('DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}', `/api/v1/orgs/${orgId}/invitations/${spare.id}`, owner), 200);
    expectStatus(
      await call('DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}', `/api/v1/orgs/${orgId}/invitations/inv_00000000000000000000000000`, owner),
      404,
    );
    expectStatus(await call('POST /api/v1/invitations/accept', '/api/v1/invitations/accept', joiner, { token: invited.token }), 200);
    expectStatus(await call('POST /api/v1/invitations/accept', '/api/v1/invitations/accept', joiner, { token: 'u'.repeat(43) }), 404);

    expectStatus(await call('GET /api/v1/orgs/{orgId}/members', `/api/v1/orgs/${orgId}/members`, joiner), 200);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/members', `/api/v1/orgs/${orgId}/members`, stranger), 404);
    expectStatus(await call('PATCH /api/v1/orgs/{orgId}/members/{userId}', `/api/v1/orgs/${orgId}/members/${joiner.userId}`, owner, { role: 'admin' }), 200);
    expectStatus(await call('PATCH /api/v1/orgs/{orgId}/members/{userId}', `/api/v1/orgs/${orgId}/members/${owner.userId}`, owner, { role: 'member' }), 409);

    const product = expectStatus(await h.admin('POST', '/products', { code: 'contract-self', name: 'Self' }), 201);
    const plan = expectStatus(
      await h.admin('POST', '/plans', { productId: product.id, code: 'team', name: 'Team', stripePriceId: 'price_contract_self' }),
      201,
    );
    const license = expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: plan.id }), 201);
    const seat = expectStatus(await h.licensing('acquire', { product: 'contract-self', licenseKey: license.key, fingerprint: 'contract-machine-d' }), 200);
    const ciRules = `/api/v1/orgs/${orgId}/ci-mappings`;
    const ciRule = expectStatus(await call('POST /api/v1/orgs/{orgId}/ci-mappings', ciRules, owner, { licenseId: license.id, repository: 'owner/app' }), 201);
    expectStatus(await call('POST /api/v1/orgs/{orgId}/ci-mappings', ciRules, joiner, { licenseId: license.id, repository: 'owner/app' }), 403);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/ci-mappings', ciRules, owner), 200);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/ci-mappings', ciRules, stranger), 404);
    expectStatus(await call('DELETE /api/v1/orgs/{orgId}/ci-mappings/{mappingId}', `${ciRules}/${ciRule.id}`, owner), 200);
    expectStatus(await call('DELETE /api/v1/orgs/{orgId}/ci-mappings/{mappingId}', `${ciRules}/cim_00000000000000000000000000`, owner), 404);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/licenses', `/api/v1/orgs/${orgId}/licenses`, joiner), 200);
    expectStatus(
      await call('GET /api/v1/orgs/{orgId}/licenses', `/api/v1/orgs/${orgId}/licenses`, null, undefined, { authorization: 'Bearer not.a.token' }),
      401,
    );
    expectStatus(await call('GET /api/v1/orgs/{orgId}/sessions', `/api/v1/orgs/${orgId}/sessions?licenseId=${license.id}`, owner), 200);
    expectStatus(await call('GET /api/v1/orgs/{orgId}/sessions', `/api/v1/orgs/${orgId}/sessions?limit=many`, owner), 400);
    expectStatus(await call('POST /api/v1/orgs/{orgId}/sessions/{sessionId}/release', `/api/v1/orgs/${orgId}/sessions/${seat.sessionId}/release`, owner), 200);
    expectStatus(await call('POST /api/v1/orgs/{orgId}/sessions/{sessionId}/release', `/api/v1/orgs/${orgId}/sessions/${UNKNOWN.session}/release`, owner), 404);

    expectStatus(
      await call('POST /api/v1/orgs/{orgId}/billing/checkout', `/api/v1/orgs/${orgId}/billing/checkout`, owner, { planId: plan.id, quantity: 2 }),
      200,
    );
    const cookieOnly = { cookie: owner.cookie };
    expectStatus(
      await call('POST /api/v1/orgs/{orgId}/billing/checkout', `/api/v1/orgs/${orgId}/billing/checkout`, null, { planId: plan.id }, cookieOnly),
      403,
    );
    expectStatus(await call('POST /api/v1/orgs/{orgId}/billing/portal', `/api/v1/orgs/${orgId}/billing/portal`, owner), 409);
    await deliverCheckout(orgId, 'cus_contract_self', 'sub_contract_self', 'price_contract_self');
    expectStatus(await call('POST /api/v1/orgs/{orgId}/billing/portal', `/api/v1/orgs/${orgId}/billing/portal`, owner), 200);

    expectStatus(await call('DELETE /api/v1/orgs/{orgId}/members/{userId}', `/api/v1/orgs/${orgId}/members/${joiner.userId}`, owner), 200);
    expectStatus(await call('DELETE /api/v1/orgs/{orgId}/members/{userId}', `/api/v1/orgs/${orgId}/members/${owner.userId}`, owner), 409);
  });

  it('for sign-in: the GitHub redirect and callback, the device flow, its page, tokens, invitation pages and sign-out', async () => {
    const start = await api.call('GET /auth/github/start', { url: '/auth/github/start?redirect_to=/api/v1/me' });
    expect(start.statusCode).toBe(302);
    expectStatus(await api.call('GET /auth/github/start', { url: `/auth/github/start?redirect_to=/${'x'.repeat(2001)}` }), 400);
    const authorize = new URL(start.headers.location as string);
    githubCodes.set('code-contract', authorize.searchParams.get('code_challenge') as string);
    const state = authorize.searchParams.get('state') as string;
    const stateCookie = `lh_oauth_state=${cookieValue(cookiesOf(start).get('lh_oauth_state'))}`;
    const done = await api.call('GET /auth/github/callback', {
      url: `/auth/github/callback?code=code-contract&state=${encodeURIComponent(state)}`,
      headers: { cookie: stateCookie },
    });
    expect(done.statusCode).toBe(303);
    expectStatus(await api.call('GET /auth/github/callback', { url: `/auth/github/callback?code=code-contract&state=${encodeURIComponent(state)}` }), 400);

    const person = await newUser(h, 'Device');
    const device = expectStatus(
      await api.call('POST /auth/device/code', { url: '/auth/device/code', headers: FORM_HEADERS, payload: 'client_id=leasehold-cli' }),
      200,
    );
    expect(
      (await api.call('POST /auth/device/code', { url: '/auth/device/code', headers: FORM_HEADERS, payload: 'client_id=someone-else' })).json(),
    ).toMatchObject({ error: 'invalid_client' });
    const page = await api.call('GET /auth/device', { url: `/auth/device?user_code=${device.user_code}`, headers: { cookie: person.cookie } });
    expect(page.statusCode).toBe(200);
    expectStatus(await api.call('GET /auth/device', { url: `/auth/device?user_code=${'W'.repeat(21)}` }), 400);
    const form = new URLSearchParams({ user_code: device.user_code, action: 'approve', csrf_token: person.csrf }).toString();
    expect((await api.call('POST /auth/device', { url: '/auth/device', headers: { ...FORM_HEADERS, cookie: person.cookie }, payload: form })).statusCode).toBe(
      200,
    );
    expect((await api.call('POST /auth/device', { url: '/auth/device', headers: FORM_HEADERS, payload: form })).statusCode).toBe(401);
    const grant = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: 'leasehold-cli',
    });
    const tokens = expectStatus(await api.call('POST /auth/token', { url: '/auth/token', headers: FORM_HEADERS, payload: grant.toString() }), 200);
    expect((await api.call('POST /auth/token', { url: '/auth/token', headers: FORM_HEADERS, payload: 'grant_type=password' })).statusCode).toBe(400);
    expectStatus(
      await api.call('POST /auth/logout', { url: '/auth/logout', ...body({ refresh_token: tokens.refresh_token, client_id: 'leasehold-cli' }) }),
      200,
    );
    expectStatus(await api.call('POST /auth/logout', { url: '/auth/logout', headers: { ...JSON_HEADERS, cookie: person.cookie }, payload: '{}' }), 403);

    const host = await newUser(h, 'Host');
    const guest = await newUser(h, 'Guest');
    const invitation = expectStatus(
      await h.app.inject({ method: 'POST', url: `/api/v1/orgs/${await personalOrg(h, host)}/invitations`, ...body({}, bearer(host)) }),
      201,
    );
    const link = `/auth/invitations/${invitation.token}`;
    expect((await api.call('GET /auth/invitations/{token}', { url: link, headers: { cookie: guest.cookie } })).statusCode).toBe(200);
    expectStatus(await api.call('GET /auth/invitations/{token}', { url: '/auth/invitations/short' }), 400);
    const accept = new URLSearchParams({ csrf_token: guest.csrf }).toString();
    expect(
      (await api.call('POST /auth/invitations/{token}', { url: link, headers: { ...FORM_HEADERS, cookie: guest.cookie }, payload: accept })).statusCode,
    ).toBe(200);
    expect((await api.call('POST /auth/invitations/{token}', { url: link, headers: FORM_HEADERS, payload: accept })).statusCode).toBe(401);
  });

  it('for operations: liveness, readiness and metrics', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await api.call(`GET ${path}`, { url: path })).statusCode).toBe(200);
      expectStatus(await api.call(`GET ${path}`, { url: `${path}?verbose=1` }), 400);
    }
  });

  it('refuses answers the document does not describe (the checks bite)', async () => {
    const doc = await fetchDocument(h);
    doc.components.schemas.HeartbeatResponse.required.push('renewals');
    delete doc.paths['/api/v1/licenses/heartbeat'].post.responses['404'];
    doc.paths['/healthz'].get.responses['200'].content = { 'text/plain': { schema: { type: 'string' } } };
    const strict = new ContractChecker(h, doc);
    const seed = await seedLicense(h, { seats: 1 });
    const seat = expectStatus(await h.licensing('acquire', { product: seed.productCode, licenseKey: seed.key, fingerprint: 'contract-machine-e' }), 200);
    const beat = (sessionSecret: string) =>
      strict.call('POST /api/v1/licenses/heartbeat', { url: '/api/v1/licenses/heartbeat', ...body({ sessionId: seat.sessionId, sessionSecret }) });
    await expect(beat(seat.sessionSecret)).rejects.toThrow(/must have required property 'renewals'/);
    await expect(beat('y'.repeat(43))).rejects.toThrow(/status 404 is not documented/);
    await expect(strict.call('GET /healthz', { url: '/healthz' })).rejects.toThrow(/content type application\/json is not documented/);
  });

  it('for webhooks: endpoints, secrets, the delivery log and redelivery, the vendor’s and an organisation’s', async () => {
    const receiver = await new Receiver().start();
    try {
      const call = (key: string, url: string, payload?: unknown, headers: Record<string, string> = admin()) =>
        api.call(key, {
          url,
          headers: { ...headers, ...(payload === undefined ? {} : JSON_HEADERS) },
          ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
        });
      const base = '/api/v1/admin/webhook-endpoints';
      const endpoint = expectStatus(await call(`POST ${base}`, base, { url: receiver.url, eventTypes: ['license.created'] }), 201);
      expectStatus(await call(`POST ${base}`, base, { url: 'ftp://example.test', eventTypes: ['license.created'] }), 400);
      expectStatus(await call(`GET ${base}`, base), 200);
      expectStatus(await call(`GET ${base}`, `${base}?limit=0`), 400);
      const one = `${base}/${endpoint.id}`;
      const unknown = `${base}/whe_00000000000000000000000000`;
      expectStatus(await call(`GET ${base}/{id}`, one), 200);
      expectStatus(await call(`GET ${base}/{id}`, unknown), 404);
      expectStatus(await call(`PATCH ${base}/{id}`, one, { description: 'CRM' }), 200);
      expectStatus(await call(`PATCH ${base}/{id}`, one, { eventTypes: ['no.such-event'] }), 400);
      expectStatus(await call(`POST ${base}/{id}/rotate-secret`, `${one}/rotate-secret`), 200);
      expectStatus(await call(`POST ${base}/{id}/rotate-secret`, `${unknown}/rotate-secret`), 404);
      await seedLicense(h);
      await h.services.webhooks.runOnce();
      const [delivery] = expectStatus(await call(`GET ${base}/{id}/deliveries`, `${one}/deliveries`), 200).data;
      expectStatus(await call(`GET ${base}/{id}/deliveries`, `${unknown}/deliveries`), 404);
      const deliveryUrl = `${one}/deliveries/${delivery.id}`;
      const unknownDelivery = `${one}/deliveries/whd_00000000000000000000000000`;
      expectStatus(await call(`GET ${base}/{id}/deliveries/{deliveryId}`, deliveryUrl), 200);
      expectStatus(await call(`GET ${base}/{id}/deliveries/{deliveryId}`, unknownDelivery), 404);
      expectStatus(await call(`POST ${base}/{id}/deliveries/{deliveryId}/redeliver`, `${deliveryUrl}/redeliver`), 200);
      expectStatus(await call(`POST ${base}/{id}/deliveries/{deliveryId}/redeliver`, `${unknownDelivery}/redeliver`), 404);
      expectStatus(await call(`DELETE ${base}/{id}`, one), 200);
      expectStatus(await call(`DELETE ${base}/{id}`, one), 404);

      const owner = await newUser(h, 'Hook owner');
      const orgId = await personalOrg(h, owner);
      const as = bearer(owner);
      const orgBase = '/api/v1/orgs/{orgId}/webhook-endpoints';
      const orgUrl = `/api/v1/orgs/${orgId}/webhook-endpoints`;
      const mine = expectStatus(await call(`POST ${orgBase}`, orgUrl, { url: receiver.url, eventTypes: ['seat.denied'] }, as), 201);
      expectStatus(await call(`POST ${orgBase}`, orgUrl, { url: receiver.url, eventTypes: [] }, as), 400);
      expectStatus(await call(`GET ${orgBase}`, orgUrl, undefined, as), 200);
      expectStatus(await call(`GET ${orgBase}`, orgUrl, undefined, {}), 401);
      const mineUrl = `${orgUrl}/${mine.id}`;
      const notMine = `${orgUrl}/whe_00000000000000000000000000`;
      expectStatus(await call(`GET ${orgBase}/{endpointId}`, mineUrl, undefined, as), 200);
      expectStatus(await call(`GET ${orgBase}/{endpointId}`, notMine, undefined, as), 404);
      expectStatus(await call(`PATCH ${orgBase}/{endpointId}`, mineUrl, { status: 'disabled' }, as), 200);
      expectStatus(await call(`PATCH ${orgBase}/{endpointId}`, mineUrl, { status: 'paused' }, as), 400);
      expectStatus(await call(`POST ${orgBase}/{endpointId}/rotate-secret`, `${mineUrl}/rotate-secret`, undefined, as), 200);
      expectStatus(await call(`POST ${orgBase}/{endpointId}/rotate-secret`, `${notMine}/rotate-secret`, undefined, as), 404);
      expectStatus(await call(`GET ${orgBase}/{endpointId}/deliveries`, `${mineUrl}/deliveries`, undefined, as), 200);
      expectStatus(await call(`GET ${orgBase}/{endpointId}/deliveries`, `${notMine}/deliveries`, undefined, as), 404);
      expectStatus(await call(`PATCH ${orgBase}/{endpointId}`, mineUrl, { status: 'enabled', eventTypes: ['license.created'] }, as), 200);
      expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: (await seedLicense(h)).planId }), 201);
      await h.services.webhooks.runOnce();
      const [mineDelivery] = expectStatus(await call(`GET ${orgBase}/{endpointId}/deliveries`, `${mineUrl}/deliveries`, undefined, as), 200).data;
      const mineDeliveryUrl = `${mineUrl}/deliveries/${mineDelivery.id}`;
      expectStatus(await call(`GET ${orgBase}/{endpointId}/deliveries/{deliveryId}`, mineDeliveryUrl, undefined, as), 200);
      expectStatus(await call(`GET ${orgBase}/{endpointId}/deliveries/{deliveryId}`, `${mineUrl}/deliveries/${delivery.id}`, undefined, as), 404);
      expectStatus(await call(`POST ${orgBase}/{endpointId}/deliveries/{deliveryId}/redeliver`, `${mineDeliveryUrl}/redeliver`, undefined, as), 200);
      expectStatus(await call(`POST ${orgBase}/{endpointId}/deliveries/{deliveryId}/redeliver`, `${mineDeliveryUrl}/redeliver`, undefined, {}), 401);
      expectStatus(await call(`DELETE ${orgBase}/{endpointId}`, mineUrl, undefined, as), 200);
      expectStatus(await call(`DELETE ${orgBase}/{endpointId}`, mineUrl, undefined, as), 404);
    } finally {
      await receiver.stop();
    }
  });

  it('has called every documented operation, each answering once as it should and once refusing', () => {
    const missing = api.operations.filter((key) => {
      const tally = api.seen.get(key);
      return !tally || tally.ok === 0 || tally.error === 0;
    });
    expect(missing).toEqual([]);
    expect(api.operations.length).toBeGreaterThanOrEqual(63);
  });
});
