import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEASE_TOKEN_TYPE } from '@leasehold/protocol/lease-token';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyFile, LocalKeyFileSigner, rotateKeyFile } from '../../src/signing/local-key-file.js';
import { LeaseTokens } from '../../src/tokens/lease-tokens.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

const ISSUER = 'https://licenses.example.test';

function b64(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

describe('lease tokens', () => {
  let h: Harness;
  let token: string;
  let jwks: JSONWebKeySet;
  const verify = (t: string, keys: JSONWebKeySet = jwks) =>
    jwtVerify(t, createLocalJWKSet(keys), { issuer: ISSUER, algorithms: ['EdDSA'], typ: LEASE_TOKEN_TYPE, currentDate: h.clock.now() });

  beforeAll(async () => {
    h = await createHarness('pglite');
    const seed = await seedLicense(h, { seats: 1, entitlements: ['pro'] });
    token = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200).leaseToken;
    jwks = (await h.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
  });
  afterAll(() => h.close());

  it('verifies with jose given only the JWKS document, and carries the promised claims', async () => {
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: LEASE_TOKEN_TYPE });
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(payload).toMatchObject({ iss: ISSUER, entitlements: ['pro'], fingerprint: 'machine-aaaa' });
    for (const claim of ['license_id', 'organisation_id', 'session_id', 'lease_expires_at', 'offline_grace_until', 'exp'])
      expect(payload).toHaveProperty(claim);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('rejects a token with one byte changed', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    await expect(verify(`${header}.${flipped}.${signature}`)).rejects.toThrow();
    const sigFlipped = signature.slice(0, 5) + (signature[5] === 'A' ? 'B' : 'A') + signature.slice(6);
    await expect(verify(`${header}.${payload}.${sigFlipped}`)).rejects.toThrow();
  });

  it('rejects an unknown kid', async () => {
    const [, payload, signature] = token.split('.') as [string, string, string];
    const header = b64({ ...decodeProtectedHeader(token), kid: 'no-such-key' });
    await expect(verify(`${header}.${payload}.${signature}`)).rejects.toThrow(/no applicable key/i);
  });

  it('rejects alg none', async () => {
    const [, payload] = token.split('.') as [string, string];
    const header = b64({ alg: 'none', typ: LEASE_TOKEN_TYPE, kid: decodeProtectedHeader(token).kid });
    await expect(verify(`${header}.${payload}.`)).rejects.toThrow();
  });

  it('rejects a token of another typ, even with a valid signature', async () => {
    const signer = new LocalKeyFileSigner(join(h.dataDir, 'signing-keys.json'), () => h.clock.now());
    const other = new LeaseTokens(signer, ISSUER);
    const [, payload] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const kid = await signer.currentKeyId();
    const input = `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid })}.${b64(claims)}`;
    const sig = Buffer.from(await signer.sign(kid, Buffer.from(input))).toString('base64url');
    await expect(verify(`${input}.${sig}`)).rejects.toThrow(/typ/);
    // The server's own verification is just as exclusive.
    await expect(other.verify(`${input}.${sig}`, h.clock.now())).rejects.toThrow();
    expect((await other.verify(token, h.clock.now())).fingerprint).toBe('machine-aaaa');
  });

  it('rejects a token signed by another key under the same kid', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const [header, payload] = token.split('.') as [string, string];
    const sig = sign(null, Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
    await expect(verify(`${header}.${payload}.${sig}`)).rejects.toThrow(/signature/);
  });

  it('answers validate with valid:false for a forged token', async () => {
    const [header, payload] = token.split('.') as [string, string];
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = `${header}.${payload}.${sign(null, Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
    const answer = expectStatus(await h.licensing('validate', { leaseToken: forged }), 200);
    expect(answer).toMatchObject({ valid: false, license: null });
    expect(expectStatus(await h.licensing('validate', { leaseToken: token }), 200).valid).toBe(true);
  });
});

describe('signing key rotation', () => {
  it('keeps the old key published for the overlap, then drops it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leasehold-keys-')), 'keys.json');
    let now = new Date('2030-01-01T00:00:00Z');
    ensureKeyFile(path, now);
    const signer = new LocalKeyFileSigner(path, () => now);
    const tokens = new LeaseTokens(signer, ISSUER);
    const facts = {
      sessionId: 'ses_x',
      licenseId: 'lic_x',
      organisationId: 'org_x',
      productCode: 'p',
      userId: null,
      fingerprint: 'fp-00000000',
      entitlements: [],
      leaseExpiresAt: new Date(now.getTime() + 360_000),
      leaseTtlSeconds: 360,
      offlineGraceSeconds: 86_400,
      borrowedUntil: null,
    };
    const old = (await tokens.issue(facts, now)).token;
    const oldKid = decodeProtectedHeader(old).kid;
    await new Promise((r) => setTimeout(r, 20));
    now = new Date('2030-01-01T00:00:01Z');
    const { newKid, retiring } = rotateKeyFile(path, now, 3600);
    expect(retiring).toEqual([oldKid]);
    signer.refresh();
    const fresh = (await tokens.issue(facts, now)).token;
    expect(decodeProtectedHeader(fresh).kid).toBe(newKid);
    expect((await signer.publicKeys()).map((k) => k.kid)).toEqual([oldKid, newKid]);
    await expect(tokens.verify(old, now)).resolves.toBeTruthy();
    now = new Date('2030-01-01T01:00:02Z');
    expect((await signer.publicKeys()).map((k) => k.kid)).toEqual([newKid]);
    await expect(tokens.verify(old, now)).rejects.toThrow();
  });

  it('refuses a key file others can read', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leasehold-keys-')), 'keys.json');
    ensureKeyFile(path, new Date());
    const { chmodSync, statSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    expect(() => new LocalKeyFileSigner(path, () => new Date())).toThrow(/chmod 600/);
  });
});
