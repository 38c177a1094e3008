import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { asUser, CLI, newUser, postForm, type TestUser } from './support.js';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

for (const driver of DRIVERS) {
  describe(`device authorization grant (RFC 8628) on ${driver}`, () => {
    let h: Harness;
    let person: TestUser;

    beforeAll(async () => {
      h = await createHarness(driver);
      person = await newUser(h, 'Dana');
    });
    afterAll(() => h.close());

    const start = async () => expectStatus(await postForm(h, '/auth/device/code', { client_id: CLI, scope: 'licenses' }), 200);
    const poll = (deviceCode: string) => postForm(h, '/auth/token', { grant_type: DEVICE, device_code: deviceCode, client_id: CLI });
    const decide = (userCode: string, action: 'approve' | 'deny', csrf = person.csrf, cookie = person.cookie) =>
      postForm(h, '/auth/device', { user_code: userCode, action, csrf_token: csrf }, { cookie });

    it('goes from code to tokens: pending, slow_down, approval, tokens once', async () => {
      const code = await start();
      expect(code).toMatchObject({
        verification_uri: 'https://licenses.example.test/auth/device',
        expires_in: 600,
        interval: 5,
      });
      expect(code.user_code).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
      expect(code.verification_uri_complete).toBe(`https://licenses.example.test/auth/device?user_code=${code.user_code}`);

      const pending = await poll(code.device_code);
      expect(pending.statusCode).toBe(400);
      expect(pending.json()).toMatchObject({ error: 'authorization_pending' });

      // Polling again at once, before the interval: slow_down, and the interval grows by 5 s.
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'slow_down' });
      h.clock.advance(6);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'slow_down' });
      h.clock.advance(14);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'slow_down' });
      h.clock.advance(20);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'authorization_pending' });

      // The page, signed in by cookie, shows the code and a form with the CSRF token.
      const page = await h.app.inject({ method: 'GET', url: `/auth/device?user_code=${code.user_code.toLowerCase()}`, headers: { cookie: person.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain(code.user_code);
      expect(page.body).toContain(person.csrf);
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");

      // Without the CSRF token (a cross-site form post), nothing is approved.
      expect((await decide(code.user_code, 'approve', 'forged')).statusCode).toBe(403);
      expect((await decide(code.user_code, 'approve', '')).statusCode).toBe(403);
      h.clock.advance(20);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'authorization_pending' });

      expect((await decide(code.user_code, 'approve')).statusCode).toBe(200);
      h.clock.advance(20);
      const granted = await poll(code.device_code);
      expect(granted.statusCode).toBe(200);
      expect(granted.headers['cache-control']).toBe('no-store');
      const tokens = granted.json();
      expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(tokens.refresh_token).toMatch(/^lhr_/);

      const me = expectStatus(await asUser(h, tokens.access_token, 'GET', '/api/v1/me'), 200);
      expect(me.user.id).toBe(person.userId);
      expect(me.memberships).toHaveLength(1);
      expect(me.memberships[0].role).toBe('owner');

      // A device code is exchanged once.
      h.clock.advance(20);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('answers access_denied after a denial', async () => {
      const code = await start();
      expect((await decide(code.user_code, 'deny')).statusCode).toBe(200);
      expect((await poll(code.device_code)).json()).toMatchObject({ error: 'access_denied' });
    });

    it('answers expired_token once the code expires, and the page no longer accepts it', async () => {
      const code = await start();
      h.clock.advance(601);
      const expired = await poll(code.device_code);
      expect(expired.statusCode).toBe(400);
      expect(expired.json()).toMatchObject({ error: 'expired_token' });
      expect((await decide(code.user_code, 'approve')).statusCode).toBe(404);
    });

    it('refuses unknown clients and unknown grant types in OAuth shape', async () => {
      const bad = await postForm(h, '/auth/device/code', { client_id: 'someone-else' });
      expect(bad.statusCode).toBe(401);
      expect(bad.json()).toMatchObject({ error: 'invalid_client' });
      expect((await postForm(h, '/auth/token', { grant_type: 'password' })).json()).toMatchObject({ error: 'unsupported_grant_type' });
      expect((await poll('not-a-device-code')).json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('is published in OpenAPI', async () => {
      const doc = expectStatus(await h.app.inject({ method: 'GET', url: '/openapi.json' }), 200);
      for (const path of [
        '/auth/device/code',
        '/auth/token',
        '/auth/logout',
        '/api/v1/me',
        '/api/v1/orgs/{orgId}/members',
        '/api/v1/orgs/{orgId}/sessions/{sessionId}/release',
      ]) {
        expect(doc.paths[path], path).toBeDefined();
      }
      expect(doc.paths['/api/v1/me'].get.security).toEqual([{ userToken: [] }, { browserCookie: [] }]);
    });

    it('takes JSON bodies too', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/auth/device/code',
        headers: { 'content-type': 'application/json' },
        payload: { client_id: CLI },
      });
      expect(response.statusCode).toBe(200);
    });

    it('asks a person who is not signed in to sign in first', async () => {
      const page = await h.app.inject({ method: 'GET', url: '/auth/device?user_code=ABCD-EFGH' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Sign in');
      const post = await postForm(h, '/auth/device', { user_code: 'ABCD-EFGH', action: 'approve' });
      expect(post.statusCode).toBe(401);
    });

    describe('refresh tokens', () => {
      const tokensFor = async () => {
        const code = await start();
        const someone = await newUser(h, 'Refresher');
        expect((await decide(code.user_code, 'approve', someone.csrf, someone.cookie)).statusCode).toBe(200);
        return expectStatus(await poll(code.device_code), 200);
      };
      const refresh = (token: string) => postForm(h, '/auth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: CLI });

      it('rotate on every use', async () => {
        const first = await tokensFor();
        h.clock.advance(60);
        const second = expectStatus(await refresh(first.refresh_token), 200);
        expect(second.refresh_token).not.toBe(first.refresh_token);
        expect(second.access_token).not.toBe(first.access_token);
        const third = expectStatus(await refresh(second.refresh_token), 200);
        expectStatus(await asUser(h, third.access_token, 'GET', '/api/v1/me'), 200);
      });

      it('revoke the whole family when a spent token comes back', async () => {
        const first = await tokensFor();
        const second = expectStatus(await refresh(first.refresh_token), 200);
        const reuse = await refresh(first.refresh_token);
        expect(reuse.statusCode).toBe(400);
        expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
        // The thief's copy and the legitimate next token are both dead now.
        expect((await refresh(second.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
        const audit = expectStatus(await h.admin('GET', '/audit?action=refresh_token.reuse_detected'), 200);
        expect(audit.data.length).toBeGreaterThanOrEqual(1);
      });

      it('are refused for another client and after expiry', async () => {
        const first = await tokensFor();
        const other = await postForm(h, '/auth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'other' });
        expect(other.json()).toMatchObject({ error: 'invalid_grant' });
        h.clock.advance(31 * 86_400);
        expect((await refresh(first.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
      });

      it('die with sign-out', async () => {
        const first = await tokensFor();
        const second = expectStatus(await refresh(first.refresh_token), 200);
        const out = await postForm(h, '/auth/logout', { refresh_token: second.refresh_token, client_id: CLI });
        expect(expectStatus(out, 200)).toEqual({ revoked: true });
        expect((await refresh(second.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
      });
    });

    it('lets a signed-in person take a seat that counts them, on the user seat basis', async () => {
      const seed = await seedLicense(h, { seats: 1, seatBasis: 'user' });
      const owner = await newUser(h, 'Seat');
      // Put the license's organisation in the person's hands through an invitation.
      const admin = await newUser(h, 'Admin');
      const { memberships } = h.services.identity;
      const { systemContext } = await import('../../src/kernel/request-context.js');
      const { memberships: table } = await import('../../src/db/schema.js');
      await h.services.database.db
        .insert(table)
        .values({ id: `mem_${'0'.repeat(26)}`, organisationId: seed.organisationId, userId: admin.userId, role: 'owner', createdAt: h.clock.now() });
      const invite = await memberships.createInvitation(admin.userId, seed.organisationId, { role: 'member' }, systemContext());
      expectStatus(await asUser(h, owner, 'POST', '/api/v1/invitations/accept', { token: invite.token }), 200);

      const body = { product: seed.productCode, fingerprint: 'machine-aaaa-1111', hostname: 'laptop' };
      const first = expectStatus(await asUser(h, owner, 'POST', '/api/v1/licenses/acquire', body), 200);
      expect(first.licenseId).toBe(seed.licenseId);
      // The same person on a second machine shares the one seat.
      const second = expectStatus(await asUser(h, owner, 'POST', '/api/v1/licenses/acquire', { ...body, fingerprint: 'machine-bbbb-2222' }), 200);
      expect(second.seats.used).toBe(1);
      const sessions = expectStatus(await h.admin('GET', `/sessions?licenseId=${seed.licenseId}`), 200);
      expect(sessions.data.map((s: { id: string }) => s.id).sort()).toEqual([first.sessionId, second.sessionId].sort());
      expect(sessions.data.every((s: { userId: string }) => s.userId === owner.userId)).toBe(true);
      // Another person needs another seat: none is free.
      const full = await asUser(h, admin, 'POST', '/api/v1/licenses/acquire', body);
      expect(full.statusCode).toBe(409);
      expect(full.json().code).toBe('NO_SEAT_AVAILABLE');

      // A license the person has no part in is not theirs to name.
      const foreign = await seedLicense(h, { seats: 5 });
      const named = await asUser(h, owner, 'POST', '/api/v1/licenses/acquire', { ...body, product: foreign.productCode, licenseId: foreign.licenseId });
      expect(named.statusCode).toBe(404);
      expect(named.json().code).toBe('LICENSE_NOT_FOUND');
      // Without key or token: 401.
      expect((await h.licensing('acquire', body)).statusCode).toBe(401);
      // The license key path is unchanged.
      expectStatus(await h.licensing('acquire', acquireBody(foreign, 'machine-cccc-3333')), 200);
    });
  });
}
