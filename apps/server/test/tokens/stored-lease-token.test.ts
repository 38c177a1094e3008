import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureKeyFile, LocalKeyFileSigner } from '../../src/signing/local-key-file.js';
import type { Signer } from '../../src/signing/signer.js';
import { type LeaseFacts, LeaseTokens } from '../../src/tokens/lease-tokens.js';
import { MAX_STORED, redisLeaseToken, storedFromRedis, storedLeaseToken } from '../../src/tokens/stored-lease-token.js';

// The Redis store keeps a lease token between heartbeats in a stored form of its own
// and rebuilds it: what a heartbeat answers must be the very token that was signed.

const now = new Date('2026-12-03T10:00:00.123Z');
const facts: LeaseFacts = {
  sessionId: 'sess_01JH3K9Q7ZC8V4R2N6M5T1X0AB',
  licenseId: 'lic_01JH3K9Q7ZC8V4R2N6M5T1X0CD',
  organisationId: 'org_01JH3K9Q7ZC8V4R2N6M5T1X0EF',
  productCode: 'coditect',
  userId: null,
  fingerprint: 'b5d0c9a1e2f34d5b8a7c6e1f0d2c3b4a',
  entitlements: ['pro', 'ci'],
  leaseExpiresAt: new Date(now.getTime() + 360_000),
  leaseTtlSeconds: 360,
  offlineGraceSeconds: 86_400,
  borrowedUntil: null,
};

async function tokens(): Promise<LeaseTokens> {
  const path = join(mkdtempSync(join(tmpdir(), 'leasehold-stored-token-')), 'keys.json');
  ensureKeyFile(path, now);
  return new LeaseTokens(new LocalKeyFileSigner(path), 'https://licenses.example.test');
}

describe('stored lease tokens', () => {
  it('rebuild the signed token byte for byte, in a fifth of its size', async () => {
    const t = await tokens();
    for (const f of [facts, { ...facts, userId: 'usr_01JH3K9Q7ZC8V4R2N6M5T1X0GH' }, { ...facts, borrowedUntil: new Date(now.getTime() + 7 * 86_400_000) }]) {
      const { token } = await t.issue(f, now);
      const stored = storedLeaseToken(token);
      expect(stored.length).toBeLessThanOrEqual(192);
      expect(stored.length).toBeLessThan(token.length / 4);
      // The lease has moved on since: the rebuilt token still says what was signed.
      expect(t.restore(stored, { ...f, leaseExpiresAt: new Date(now.getTime() + 420_000) })).toBe(token);
    }
  });

  it('keep a token whose key has a long ID (Cloud KMS names its key ring and key in it), and store nothing past what Redis keeps', async () => {
    const local = await tokens();
    const signing = (kid: string) => {
      // A signer with the given key ID that signs with a local key: only the ID's length matters here.
      const inner = (local as unknown as { signer: Signer }).signer;
      const signer = { currentKeyId: async () => kid, sign: async (_kid: string, data: Uint8Array) => inner.sign(await inner.currentKeyId(), data) };
      return new LeaseTokens(signer as unknown as Signer, 'https://licenses.example.test');
    };
    const kms = signing(`kms-${'r'.repeat(63)}-${'k'.repeat(63)}-v12`);
    const { token } = await kms.issue(facts, now);
    const stored = storedLeaseToken(token);
    expect(stored.length).toBeGreaterThan(192);
    expect(stored.length).toBeLessThanOrEqual(MAX_STORED);
    expect(kms.restore(stored, facts)).toBe(token);
    const longer = await signing('x'.repeat(400)).issue(facts, now);
    expect(storedLeaseToken(longer.token)).toBe('');
  });

  it('give nothing back when the facts no longer rebuild what was signed, so a new token is signed instead', async () => {
    const t = await tokens();
    const stored = storedLeaseToken((await t.issue(facts, now)).token);
    expect(t.restore(stored, { ...facts, entitlements: ['pro'] })).toBeNull();
    expect(t.restore(stored, { ...facts, fingerprint: 'another-machine' })).toBeNull();
    expect(t.restore(stored.replace('v1.', 'v2.'), facts)).toBeNull();
    expect(t.restore('', facts)).toBeNull();
    expect(t.restore('v1.x.y', facts)).toBeNull();
  });

  it('keep their digest and signature as raw bytes in Redis, and come back from them unchanged', async () => {
    const t = await tokens();
    const { token } = await t.issue(facts, now);
    const stored = storedLeaseToken(token);
    const kept = redisLeaseToken(token);
    // A base64url signature of 64 bytes is 86 characters, a digest of 12 is 16.
    expect(kept.length).toBeLessThanOrEqual(stored.length - 24);
    expect(storedFromRedis(kept)).toBe(stored);
    expect(t.restore(storedFromRedis(kept), facts)).toBe(token);
    expect(redisLeaseToken(null).length).toBe(0);
    expect(storedFromRedis(Buffer.alloc(0))).toBe('');
    // A form that does not pack stays text, and comes back as it was.
    const odd = `${stored.split('.').slice(0, 6).join('.')}.not~base64.${stored.split('.').slice(7).join('.')}`;
    expect(storedFromRedis(Buffer.from(odd))).toBe(odd);
  });

  it('store nothing for what is not a lease token', () => {
    expect(storedLeaseToken('')).toBe('');
    expect(storedLeaseToken('a.b')).toBe('');
    expect(storedLeaseToken('a.b.c.d')).toBe('');
    expect(storedLeaseToken('not-json.not-json.sig')).toBe('');
  });
});
