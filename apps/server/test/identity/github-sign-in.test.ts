import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/request-context.js';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';
import { cookiesOf, cookieValue, json, localServer } from './support.js';

interface FakeAccount {
  id: number;
  login: string;
  name: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

/** GitHub's OAuth and REST endpoints faked at the HTTP level: it is the edge of the world we cannot reach. */
describe('sign-in with GitHub', () => {
  let h: Harness;
  let github: Awaited<ReturnType<typeof localServer>>;
  const codes = new Map<string, { account: FakeAccount; challenge: string }>();
  const tokens = new Map<string, FakeAccount>();
  const seen: { path: string; body: string }[] = [];

  beforeAll(async () => {
    github = await localServer(async (req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ path: url.pathname, body });
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        if (form.get('client_id') !== 'gh-client' || form.get('client_secret') !== 'gh-secret')
          return json(res, 200, { error: 'incorrect_client_credentials' });
        if (!grant) return json(res, 200, { error: 'bad_verification_code' });
        const { createHash } = await import('node:crypto');
        if (
          createHash('sha256')
            .update(form.get('code_verifier') ?? '')
            .digest('base64url') !== grant.challenge
        )
          return json(res, 200, { error: 'bad_verification_code' });
        codes.delete(form.get('code') ?? '');
        const token = `gho_${Math.random().toString(36).slice(2)}`;
        tokens.set(token, grant.account);
        return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      const account = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!account) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/user') return json(res, 200, { id: account.id, login: account.login, name: account.name });
      if (url.pathname === '/api/user/emails') return json(res, 200, account.emails);
      return json(res, 404, { message: 'Not Found' });
    });
    h = await createHarness('pglite', {
      env: {
        LEASEHOLD_GITHUB_CLIENT_ID: 'gh-client',
        LEASEHOLD_GITHUB_CLIENT_SECRET: 'gh-secret',
        LEASEHOLD_GITHUB_URL: github.url,
        LEASEHOLD_GITHUB_API_URL: `${github.url}/api`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await github.close();
  });

  /** Start, GitHub "approves" (the fake issues a code bound to the PKCE challenge), callback. */
  async function signIn(account: FakeAccount) {
    const start = await h.app.inject({ method: 'GET', url: '/auth/github/start?redirect_to=/api/v1/me' });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(start.headers.location as string);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://licenses.example.test/auth/github/callback');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const state = authorize.searchParams.get('state') as string;
    const code = `code-${Math.random().toString(36).slice(2)}`;
    codes.set(code, { account, challenge: authorize.searchParams.get('code_challenge') as string });
    const done = await h.app.inject({
      method: 'GET',
      url: `/auth/github/callback?code=${code}&state=${encodeURIComponent(state)}`,
      headers: { cookie: `lh_oauth_state=${cookieValue(cookiesOf(start).get('lh_oauth_state'))}` },
    });
    expect(done.statusCode, done.body).toBe(303);
    const cookie = `lh_session=${cookieValue(cookiesOf(done).get('lh_session'))}`;
    return expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } }), 200);
  }

  it('signs a person up from the user and e-mail APIs, taking the primary verified address', async () => {
    const me = await signIn({
      id: 101,
      login: 'octo',
      name: 'Octo Cat',
      emails: [
        { email: 'old@example.test', primary: false, verified: false },
        { email: 'Octo@Example.test', primary: true, verified: true },
      ],
    });
    expect(me.user).toMatchObject({ email: 'octo@example.test', emailVerified: true, name: 'Octo Cat' });
    expect(me.memberships[0].role).toBe('owner');
    // The token exchange carried the PKCE verifier and the client's credentials.
    const exchange = seen.find((s) => s.path === '/login/oauth/access_token');
    expect(new URLSearchParams(exchange?.body).get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('links a GitHub account to an existing person through a verified address', async () => {
    const existing = await h.services.identity.accounts.signIn(
      { provider: 'google', subject: 'g-777', email: 'linked@example.test', emailVerified: true, name: 'Linked' },
      systemContext(),
    );
    const me = await signIn({ id: 202, login: 'linked', name: 'Linked', emails: [{ email: 'linked@example.test', primary: true, verified: true }] });
    expect(me.user.id).toBe(existing);
    expect(me.memberships).toHaveLength(1);
  });

  it('never links through an unverified address: the person gets an account of their own', async () => {
    const victim = await h.services.identity.accounts.signIn(
      { provider: 'google', subject: 'g-888', email: 'victim@example.test', emailVerified: true, name: 'Victim' },
      systemContext(),
    );
    const me = await signIn({ id: 303, login: 'mallory', name: 'Mallory', emails: [{ email: 'victim@example.test', primary: true, verified: false }] });
    expect(me.user.id).not.toBe(victim);
    expect(me.user.email).toBeNull();
    expect(me.user.emailVerified).toBe(false);
    const victimMe = await h.services.identity.accounts.me(victim);
    expect(victimMe.memberships).toHaveLength(1);
    // Signing in again finds the same (separate) account by GitHub's ID.
    const again = await signIn({ id: 303, login: 'mallory', name: 'Mallory', emails: [{ email: 'victim@example.test', primary: true, verified: false }] });
    expect(again.user.id).toBe(me.user.id);
  });

  it('fails cleanly when GitHub refuses the code', async () => {
    const start = await h.app.inject({ method: 'GET', url: '/auth/github/start' });
    const state = new URL(start.headers.location as string).searchParams.get('state') as string;
    const done = await h.app.inject({
      method: 'GET',
      url: `/auth/github/callback?code=unknown&state=${encodeURIComponent(state)}`,
      headers: { cookie: `lh_oauth_state=${state}` },
    });
    expect(done.statusCode).toBe(400);
    expect(done.json().code).toBe('SIGN_IN_FAILED');
    expect(cookiesOf(done).has('lh_session')).toBe(false);
  });

  it('answers the provider’s own refusal with a page, and an unconfigured provider as missing', async () => {
    const denied = await h.app.inject({ method: 'GET', url: '/auth/github/callback?error=access_denied' });
    expect(denied.statusCode).toBe(400);
    expect(denied.headers['content-type']).toMatch(/text\/html/);
    expect((await h.app.inject({ method: 'GET', url: '/auth/google/start' })).statusCode).toBe(404);
  });
});
