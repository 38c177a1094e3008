import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';
import { browse, idTokenFor, startProvider, type TestProvider } from './oidc-provider.js';
import { cookiesOf, cookieValue } from './support.js';

const PUBLIC = 'https://licenses.example.test';
const EXTERNAL_CLIENT = { id: 'identity-platform-app', secret: 'external-secret', redirectUri: 'http://127.0.0.1:1/callback' };

/** A real OpenID provider stands in for Google (browser sign-in) and for an external issuer (bearer tokens). */
describe('OpenID Connect against a real provider', () => {
  let op: TestProvider;
  let h: Harness;

  beforeAll(async () => {
    op = await startProvider([
      {
        client_id: 'leasehold-google',
        client_secret: 'google-secret',
        redirect_uris: [`${PUBLIC}/auth/google/callback`],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: EXTERNAL_CLIENT.id,
        client_secret: EXTERNAL_CLIENT.secret,
        redirect_uris: [EXTERNAL_CLIENT.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ]);
    h = await createHarness('pglite', {
      env: {
        LEASEHOLD_GOOGLE_CLIENT_ID: 'leasehold-google',
        LEASEHOLD_GOOGLE_CLIENT_SECRET: 'google-secret',
        LEASEHOLD_GOOGLE_DISCOVERY_URL: `${op.issuer}/.well-known/openid-configuration`,
        LEASEHOLD_EXTERNAL_ISSUER: op.issuer,
        LEASEHOLD_EXTERNAL_AUDIENCE: EXTERNAL_CLIENT.id,
        LEASEHOLD_EXTERNAL_ALGORITHMS: 'RS256,ES256',
        LEASEHOLD_EXTERNAL_TENANT_CLAIM: 'tenant',
      },
    });
    // The provider signs with real time; the server's clock must agree.
    h.clock.set(new Date());
  });
  afterAll(async () => {
    await h.close();
    await op.close();
  });

  /** The whole browser flow: start, the provider's login and consent, callback. Returns the session cookie. */
  async function signInWithGoogle(login: string, redirectTo = '/auth/device') {
    const start = await h.app.inject({ method: 'GET', url: `/auth/google/start?redirect_to=${encodeURIComponent(redirectTo)}` });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.origin).toBe(op.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const state = authorize.searchParams.get('state') as string;
    const stateCookie = cookiesOf(start).get('lh_oauth_state');
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(cookieValue(stateCookie)).toBe(state);

    const callback = await browse(authorize.toString(), login);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC}/auth/google/callback`);
    expect(callback.searchParams.get('state')).toBe(state);
    const done = await h.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: `lh_oauth_state=${state}` } });
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe(redirectTo);
    const session = cookiesOf(done).get('lh_session') as string;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/Secure/);
    expect(session).toMatch(/SameSite=Lax/);
    return { cookie: `lh_session=${cookieValue(session)}`, callbackUrl: `${callback.pathname}${callback.search}`, state };
  }

  it('signs a person up on their first sign-in, with a personal organisation they own', async () => {
    const { cookie } = await signInWithGoogle('carol');
    const me = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } }), 200);
    expect(me.user).toMatchObject({ email: 'carol@example.test', emailVerified: true, name: 'Carol' });
    expect(me.memberships).toHaveLength(1);
    expect(me.memberships[0].role).toBe('owner');

    // The second sign-in finds the same person and creates nothing new.
    const again = await signInWithGoogle('carol');
    const me2 = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: again.cookie } }), 200);
    expect(me2.user.id).toBe(me.user.id);
    expect(me2.memberships).toHaveLength(1);
  });

  it('refuses a replayed callback and a callback from another browser', async () => {
    const { callbackUrl, state } = await signInWithGoogle('carol');
    const replay = await h.app.inject({ method: 'GET', url: callbackUrl, headers: { cookie: `lh_oauth_state=${state}` } });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().code).toBe('SIGN_IN_FAILED');

    const start = await h.app.inject({ method: 'GET', url: '/auth/google/start' });
    const authorize = new URL(start.headers.location as string);
    const callback = await browse(authorize.toString(), 'carol');
    // Login CSRF: the victim's browser never started this flow, so it has no state cookie.
    const planted = await h.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
    expect(planted.statusCode).toBe(400);
    expect(planted.json().code).toBe('SIGN_IN_FAILED');
  });

  it('accepts the external issuer’s tokens through its JWKS and maps its tenant to an organisation', async () => {
    const alice = await idTokenFor(op.issuer, EXTERNAL_CLIENT, 'alice');
    const bob = await idTokenFor(op.issuer, EXTERNAL_CLIENT, 'bob');
    const meAlice = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${alice}` } }), 200);
    expect(meAlice.user.email).toBe('alice@example.test');
    expect(meAlice.memberships).toEqual([expect.objectContaining({ organisationName: 'acme', role: 'owner' })]);
    const meBob = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${bob}` } }), 200);
    expect(meBob.memberships).toEqual([expect.objectContaining({ organisationId: meAlice.memberships[0].organisationId, role: 'member' })]);
    // Repeated requests find the same user without creating anything.
    const again = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${alice}` } }), 200);
    expect(again.user.id).toBe(meAlice.user.id);
    // Alice's verified address links her Google sign-in to the same person.
    const google = await signInWithGoogle('alice');
    const viaGoogle = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: google.cookie } }), 200);
    expect(viaGoogle.user.id).toBe(meAlice.user.id);
  });

  it('refuses the external issuer’s token once it expires, and a token for another audience', async () => {
    const token = await idTokenFor(op.issuer, EXTERNAL_CLIENT, 'carol');
    const wrongAudience = await idTokenFor(
      op.issuer,
      { id: 'leasehold-google', secret: 'google-secret', redirectUri: `${PUBLIC}/auth/google/callback` },
      'carol',
    );
    const refused = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${wrongAudience}` } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('TOKEN_INVALID');
    const now = h.clock.now();
    h.clock.advance(2 * 3600);
    try {
      const expired = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(expired.statusCode).toBe(401);
      expect(expired.json().detail).toMatch(/expired/);
    } finally {
      h.clock.set(now);
    }
  });
});
