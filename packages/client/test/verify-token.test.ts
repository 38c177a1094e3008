import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyRing, TokenVerificationError, verifyLeaseToken } from '../src/index.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
let privateKey: CryptoKey;
let jwk: JWK;

const claims = () => ({
  iss: 'https://lic.example.com',
  sub: 'ses_x',
  aud: 'coditect',
  iat: NOW / 1000 - 10,
  exp: NOW / 1000 + 3600,
  jti: 'j1',
  license_id: 'lic_x',
  organisation_id: 'org_x',
  product: 'coditect',
  session_id: 'ses_x',
  entitlements: ['pro'],
  fingerprint: 'fp-1',
  lease_expires_at: NOW / 1000 + 360,
  offline_grace_until: NOW / 1000 + 3600,
});

const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: CryptoKey = privateKey) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'leasehold-lease+jwt', kid: 'k1', ...header } as never).sign(key);

const expectations = { product: 'coditect', fingerprint: 'fp-1', now: NOW, issuer: 'https://lic.example.com' };

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.reason;
    throw error;
  }
  return 'accepted';
}

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
});

describe('verifyLeaseToken (cross-checked with jose)', () => {
  it('accepts a token jose signed, and returns its claims', async () => {
    const keys = new KeyRing({ keys: [jwk as never] });
    const { claims: c, header } = verifyLeaseToken(await sign(claims()), keys, expectations);
    expect(c.entitlements).toEqual(['pro']);
    expect(header.kid).toBe('k1');
  });

  it('refuses each way a token can be wrong', async () => {
    const keys = new KeyRing({ keys: [jwk as never] });
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const good = await sign(claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    const cases: [string, string][] = [
      [await sign(claims(), {}, other.privateKey), 'signature'],
      [flipped, 'signature'],
      [await sign(claims(), { kid: 'k2' }), 'unknown-key'],
      [await sign(claims(), { typ: 'at+jwt' }), 'header'],
      [await sign(claims(), { typ: 'JWT' }), 'header'],
      [await sign({ ...claims(), aud: 'other' }), 'audience'],
      [await sign({ ...claims(), iss: 'https://evil.example.com' }), 'issuer'],
      [await sign({ ...claims(), fingerprint: 'fp-2' }), 'fingerprint'],
      [await sign({ ...claims(), exp: NOW / 1000 - 1 }), 'expired'],
      [`${Buffer.from('{"alg":"none","typ":"leasehold-lease+jwt","kid":"k1"}').toString('base64url')}.${p}.`, 'header'],
      ['not.a.token', 'malformed'],
      ['abc', 'malformed'],
    ];
    for (const [token, expected] of cases) expect(reason(() => verifyLeaseToken(token, keys, expectations))).toBe(expected);
  });

  it('admits only Ed25519 signing keys into the ring (one algorithm per key)', async () => {
    const ring = new KeyRing({
      keys: [
        { ...jwk, kid: 'enc', use: 'enc' },
        { ...jwk, kid: 'rs', alg: 'RS256' },
        { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'ec' },
        { ...jwk, kid: 'private', d: 'secret' },
        { ...jwk, kid: 'broken', x: '!!' },
        jwk as never,
      ],
    });
    expect(ring.size).toBe(1);
    expect(ring.get('k1')).toBeDefined();
  });
});
