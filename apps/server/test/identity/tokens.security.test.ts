import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../src/crypto.js';
import { loginStates } from '../../src/db/schema.js';
import { signCompactJws } from '../../src/signing/jws.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { json, localServer, newUser, postForm, type TestUser } from './support.js';

const EXTERNAL = 'https://issuer.example.test/project-1';
const AUDIENCE = 'project-1';
const b64 = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** RFC 8725 attacks on both kinds of bearer token, refresh reuse, open redirects, CSRF and rate limits. */
describe('token and sign-in security', () => {
  let h: Harness;
  let jwks: Awaited<ReturnType<typeof localServer>>;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let published: JWK[];
  let jwksFetches = 0;
  let person: TestUser;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    published = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = await localServer((_req, res) => {
      jwksFetches += 1;
      json(res, 200, { keys: published });
    });
    h = await createHarness('pglite', {
      env: {
        LEASEHOLD_EXTERNAL_ISSUER: EXTERNAL,
        LEASEHOLD_EXTERNAL_AUDIENCE: AUDIENCE,
        LEASEHOLD_EXTERNAL_JWKS_URL: `${jwks.url}/jwks.json`,
        LEASEHOLD_EXTERNAL_ALGORITHMS: 'RS256',
        LEASEHOLD_EXTERNAL_TENANT_CLAIM: 'firebase.tenant',
        LEASEHOLD_GITHUB_CLIENT_ID: 'gh',
        LEASEHOLD_GITHUB_CLIENT_SECRET: 'gh-secret',
        LEASEHOLD_GITHUB_URL: 'http://127.0.0.1:9',
        LEASEHOLD_AUTH_REDIRECT_ORIGINS: 'https://dashboard.example.test',
      },
    });
    person = await newUser(h, 'Target');
  });
  afterAll(async () => {
    await h.close();
    await jwks.close();
  });

  const me = (token: string) => h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
  const expectRefused = async (token: string, why: string) => {
    const response = await me(token);
    expect(response.statusCode, why).toBe(401);
    expect(response.json().code, why).toBe('TOKEN_INVALID');
    expect(response.headers['www-authenticate'], why).toMatch(/invalid_token/);
  };
  const nowS = () => Math.floor(h.clock.now().getTime() / 1000);
  const ours = (claims: Record<string, unknown>, typ = 'at+jwt') =>
    signCompactJws(h.services.signer, typ, {
      iss: 'https://licenses.example.test',
      sub: person.userId,
      aud: 'https://licenses.example.test/api',
      iat: nowS(),
      exp: nowS() + 900,
      jti: 'x',
      client_id: 'leasehold-cli',
      scope: '',
      ...claims,
    });

  describe('Leasehold access tokens', () => {
    it('accept a good token', async () => {
      expectStatus(await me(person.accessToken), 200);
      expectStatus(await me(await ours({})), 200);
    });

    it('refuse alg none', async () => {
      const [header, payload] = (await ours({})).split('.');
      const kid = JSON.parse(Buffer.from(header as string, 'base64url').toString()).kid;
      await expectRefused(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`, 'alg none');
      await expectRefused(`${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}`, 'alg none, two parts');
    });

    it('refuse HS256 keyed with the public key (algorithm confusion)', async () => {
      const [{ jwk, kid }] = (await h.services.signer.publicKeys()) as [{ jwk: JWK; kid: string }];
      const payload = (await ours({})).split('.')[1] as string;
      for (const secret of [Buffer.from(jwk.x as string, 'base64url'), JSON.stringify(jwk), jwk.x as string]) {
        const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${payload}`;
        await expectRefused(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`, 'HS256 confusion');
      }
    });

    it('refuse a lease token, and a lease verifier refuses an access token', async () => {
      const seed = await seedLicense(h, { seats: 2 });
      const lease = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-lease-0001')), 200).leaseToken;
      await expectRefused(lease, 'lease token as access token');
      const validated = expectStatus(await h.licensing('validate', { leaseToken: person.accessToken }), 200);
      expect(validated.valid).toBe(false);
      // A lease token is not a way to take a seat as a person either.
      const acquire = await h.app.inject({
        method: 'POST',
        url: '/api/v1/licenses/acquire',
        headers: { authorization: `Bearer ${lease}`, 'content-type': 'application/json' },
        payload: { product: seed.productCode, fingerprint: 'machine-lease-0002' },
      });
      expect(acquire.statusCode).toBe(401);
    });

    it('refuse another typ, issuer or audience, a bad signature, and an unknown user', async () => {
      await expectRefused(await ours({}, 'JWT'), 'typ JWT');
      await expectRefused(await ours({}, 'leasehold-lease+jwt'), 'lease typ');
      await expectRefused(await ours({ aud: 'coditect' }), 'wrong audience');
      await expectRefused(await ours({ iss: 'https://other.example.test' }), 'wrong issuer');
      const good = await ours({});
      const tampered = `${good.slice(0, good.lastIndexOf('.') + 1)}${Buffer.alloc(64, 1).toString('base64url')}`;
      await expectRefused(tampered, 'bad signature');
      await expectRefused(await ours({ sub: 'usr_0000000000abcdefghjkmnpqrs' }), 'unknown user');
      await expectRefused('not-a-jwt', 'garbage');
    });

    it('refuse expiry and not-before beyond the leeway, accept within it', async () => {
      await expectRefused(await ours({ exp: nowS() - 31 }), 'expired beyond leeway');
      expectStatus(await me(await ours({ exp: nowS() - 10 })), 200);
      await expectRefused(await ours({ nbf: nowS() + 120 }), 'nbf beyond leeway');
      expectStatus(await me(await ours({ nbf: nowS() + 10 })), 200);
      const token = person.accessToken;
      h.clock.advance(900 + 31);
      await expectRefused(token, 'issued token after 15 minutes');
      person = await newUser(h, 'Target');
    });
  });

  describe('external issuer tokens', () => {
    const external = (claims: Record<string, unknown> = {}, key = rsa.privateKey, header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa-1' }) =>
      new SignJWT({ email: 'ext@example.test', email_verified: true, firebase: { tenant: 'tenant-a' }, iat: nowS(), exp: nowS() + 3600, ...claims })
        .setProtectedHeader(header as { alg: string })
        .setIssuer(EXTERNAL)
        .setAudience(AUDIENCE)
        .setSubject('ext-user-1')
        .sign(key);

    it('accept a good token and map its tenant claim to an organisation', async () => {
      const body = expectStatus(await me(await external()), 200);
      expect(body.memberships).toEqual([expect.objectContaining({ organisationName: 'tenant-a', role: 'owner' })]);
    });

    it('refuse alg none, HS256 with the public key, and algorithms not on the list', async () => {
      const payload = (await external()).split('.')[1];
      await expectRefused(`${b64({ alg: 'none' })}.${payload}.`, 'external alg none');
      const pem = await exportSPKI(rsa.publicKey);
      const input = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${payload}`;
      await expectRefused(`${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`, 'external HS256 confusion');
      await expectRefused(await external({}, ec.privateKey, { alg: 'ES256', kid: 'ec-1' }), 'ES256 not allowed');
    });

    it('refuse a wrong issuer or audience, expiry and not-before beyond the leeway', async () => {
      await expectRefused(
        await new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
          .setIssuer('https://evil.example.test')
          .setAudience(AUDIENCE)
          .setSubject('x')
          .setExpirationTime(nowS() + 60)
          .sign(rsa.privateKey),
        'unknown issuer',
      );
      await expectRefused(
        await new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
          .setIssuer(EXTERNAL)
          .setAudience('other-project')
          .setSubject('x')
          .setExpirationTime(nowS() + 60)
          .sign(rsa.privateKey),
        'wrong audience',
      );
      await expectRefused(await external({ exp: nowS() - 60 }), 'expired');
      await expectRefused(await external({ nbf: nowS() + 120 }), 'nbf beyond leeway');
      expectStatus(await me(await external({ nbf: nowS() + 5 })), 200);
    });

    it('fetches the key set again for an unknown kid, but not more often than the cooldown', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      try {
        const rotated = await generateKeyPair('RS256', { extractable: true });
        const token = await external({}, rotated.privateKey, { alg: 'RS256', kid: 'rsa-2' });
        // Not published yet: refused, and a second try within the cooldown does not fetch again.
        vi.setSystemTime(Date.now() + 31_000);
        await expectRefused(token, 'unknown kid');
        const fetches = jwksFetches;
        await expectRefused(token, 'unknown kid within cooldown');
        expect(jwksFetches).toBe(fetches);
        published = [...published, { ...(await exportJWK(rotated.publicKey)), kid: 'rsa-2', alg: 'RS256', use: 'sig' }];
        vi.setSystemTime(Date.now() + 31_000);
        expectStatus(await me(token), 200);
        expect(jwksFetches).toBe(fetches + 1);
      } finally {
        vi.useRealTimers();
      }
    });
  });

  describe('sign-in redirects', () => {
    const redirectOf = async (target: string) => {
      const start = await h.app.inject({ method: 'GET', url: `/auth/github/start?redirect_to=${encodeURIComponent(target)}` });
      expect(start.statusCode).toBe(302);
      const state = new URL(start.headers.location as string).searchParams.get('state') as string;
      const [row] = await h.services.database.db
        .select()
        .from(loginStates)
        .where(eq(loginStates.stateHash, sha256(state)));
      return row?.redirectTo;
    };

    it('never send the browser to a place off the allow-list', async () => {
      for (const evil of [
        'https://evil.example',
        '//evil.example/path',
        '/\\evil.example',
        '\\\\evil.example',
        'javascript:alert(1)',
        'https://licenses.example.test.evil.example/',
        'https://user@evil.example',
        'https://licenses.example.test@evil.example/',
        '/%0d%0aSet-Cookie:x=1',
        '/ok\r\nLocation: https://evil.example',
      ]) {
        expect(await redirectOf(evil), evil).toBe(evil === '/%0d%0aSet-Cookie:x=1' ? evil : '/api/v1/me');
      }
    });

    it('keep paths here and allow-listed origins', async () => {
      expect(await redirectOf('/auth/device?user_code=ABCD-EFGH')).toBe('/auth/device?user_code=ABCD-EFGH');
      expect(await redirectOf('https://dashboard.example.test/welcome')).toBe('https://dashboard.example.test/welcome');
      expect(await redirectOf('https://licenses.example.test/docs')).toBe('https://licenses.example.test/docs');
    });
  });

  describe('cookie sessions', () => {
    it('need the CSRF token for state changes, not for reads', async () => {
      const user = await newUser(h, 'Cookie');
      const org = (await h.services.identity.accounts.me(user.userId)).memberships[0]?.organisationId as string;
      expectStatus(await h.app.inject({ method: 'GET', url: `/api/v1/orgs/${org}/members`, headers: { cookie: user.cookie } }), 200);
      const invite = (headers: Record<string, string>) =>
        h.app.inject({
          method: 'POST',
          url: `/api/v1/orgs/${org}/invitations`,
          headers: { cookie: user.cookie, 'content-type': 'application/json', ...headers },
          payload: { role: 'member' },
        });
      expect((await invite({})).statusCode).toBe(403);
      expect((await invite({ 'x-csrf-token': 'wrong' })).statusCode).toBe(403);
      expect((await invite({ 'x-csrf-token': user.csrf })).statusCode).toBe(201);
      // Sign-out by cookie needs it too, then the cookie is dead.
      expect((await postForm(h, '/auth/logout', {}, { cookie: user.cookie })).statusCode).toBe(403);
      const out = await postForm(h, '/auth/logout', { csrf_token: user.csrf }, { cookie: user.cookie });
      expect(expectStatus(out, 200)).toEqual({ revoked: true });
      expect(String(out.headers['set-cookie'])).toMatch(/lh_session=; Path=\/; Max-Age=0/);
      expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).statusCode).toBe(401);
    });
  });
});

describe('rate limits on identity endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite', {
      env: { LEASEHOLD_RATE_LIMIT_AUTH_PER_MINUTE: '3', LEASEHOLD_GITHUB_CLIENT_ID: 'gh', LEASEHOLD_GITHUB_CLIENT_SECRET: 's' },
    });
  });
  afterAll(() => h.close());

  it('answer 429 with Retry-After on the token, device and sign-in endpoints', async () => {
    for (let i = 0; i < 3; i++) await postForm(h, '/auth/token', { grant_type: 'refresh_token', refresh_token: 'lhr_x' });
    for (const response of [
      await postForm(h, '/auth/token', { grant_type: 'refresh_token', refresh_token: 'lhr_x' }),
      await postForm(h, '/auth/device/code', { client_id: 'leasehold-cli' }),
      await h.app.inject({ method: 'GET', url: '/auth/github/start' }),
      await h.app.inject({ method: 'GET', url: '/auth/device' }),
    ]) {
      expect(response.statusCode).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.json().code).toBe('RATE_LIMITED');
    }
  });
});
