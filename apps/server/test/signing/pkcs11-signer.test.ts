import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCompactJws } from '../../src/signing/jws.js';
import { Pkcs11Signer } from '../../src/signing/pkcs11-signer.js';
import { signCompact, TEST_TYP, tamper } from './compact-jws.js';
import { createTestToken, findSoftHsm, generateEd25519KeyPair, type TestToken } from './softhsm.js';

const softhsm = findSoftHsm();
const missing = 'missing' in softhsm ? softhsm.missing : undefined;
if (missing) console.warn(`SKIPPED PKCS#11 signer tests: ${missing}`);

async function jwksOf(signer: Pkcs11Signer): Promise<JSONWebKeySet> {
  return { keys: (await signer.publicKeys()).map((key) => key.jwk) };
}

const claims = {
  iss: 'https://auth.example.test',
  sub: 'lic_test',
  sid: 'ses_test',
};

// Skipped only where SoftHSM2 is not installed (the reason is in the suite's name); .ci/run
// installs it, so CI always runs these.
describe.skipIf(missing !== undefined)(`Pkcs11Signer against SoftHSM2${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let token: TestToken;
  let signer: Pkcs11Signer;

  beforeAll(async () => {
    token = createTestToken((softhsm as { modulePath: string }).modulePath);
    generateEd25519KeyPair(token, 'lease-2025');
    generateEd25519KeyPair(token, 'lease-2026');
    signer = await Pkcs11Signer.open({ ...token, keyLabel: 'lease-2025' });
  });

  afterAll(async () => {
    await signer?.close();
    token?.dispose();
  });

  it('signs a compact JWS that jose verifies with nothing but the JWKS', async () => {
    const jws = await signCompact(signer, claims);
    const header = decodeProtectedHeader(jws);
    expect(header).toEqual({
      alg: 'EdDSA',
      typ: TEST_TYP,
      kid: await signer.currentKeyId(),
    });

    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(await jwksOf(signer)), {
      algorithms: ['EdDSA'],
      typ: TEST_TYP,
    });
    expect(payload).toMatchObject(claims);
    expect(protectedHeader.kid).toMatch(/^pkcs11-[A-Za-z0-9_-]{43}$/);
  });

  it('signs lease tokens assembled by the server (jws.ts) verifiably', async () => {
    const jws = await signCompactJws(signer, TEST_TYP, claims);
    const { payload } = await jwtVerify(jws, createLocalJWKSet(await jwksOf(signer)), { algorithms: ['EdDSA'], typ: TEST_TYP });
    expect(payload).toMatchObject(claims);
  });

  it('publishes only public members of an OKP Ed25519 key', async () => {
    const [key] = await signer.publicKeys();
    expect(key?.jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: key?.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(key?.retiresAt).toBeNull();
  });

  it('produces signatures a verifier rejects once the payload is altered', async () => {
    const jws = await signCompact(signer, claims);
    await expect(jwtVerify(tamper(jws), createLocalJWKSet(await jwksOf(signer)))).rejects.toThrow(/signature/);
  });

  it('serialises concurrent signatures on its single session', async () => {
    const jwks = createLocalJWKSet(await jwksOf(signer));
    const tokens = await Promise.all(Array.from({ length: 25 }, (_, n) => signCompact(signer, { ...claims, n })));
    const verified = await Promise.all(tokens.map((jws) => jwtVerify(jws, jwks)));
    expect(verified.map((v) => v.payload.n)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('refuses to sign with a key that is not the current one', async () => {
    await expect(signer.sign('pkcs11-not-mine', new Uint8Array([1]))).rejects.toThrow(/only the current key/);
  });

  it('keeps tokens of a rotated-out key verifiable during the overlap', async () => {
    const oldKid = await signer.currentKeyId();
    const oldToken = await signCompact(signer, claims);
    await signer.close();

    signer = await Pkcs11Signer.open({
      ...token,
      keyLabel: 'lease-2026',
      previousKeyLabels: ['lease-2025'],
    });
    const newKid = await signer.currentKeyId();
    expect(newKid).not.toBe(oldKid);
    expect((await signer.publicKeys()).map((key) => key.kid)).toEqual([newKid, oldKid]);

    const jwks = createLocalJWKSet(await jwksOf(signer));
    await expect(jwtVerify(oldToken, jwks)).resolves.toBeTruthy();
    const newToken = await signCompact(signer, claims);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    await expect(jwtVerify(newToken, jwks)).resolves.toBeTruthy();
  });

  it('fails loudly on a wrong PIN, an unknown token or an unknown key', async () => {
    await signer.close();
    await expect(Pkcs11Signer.open({ ...token, pin: '000000', keyLabel: 'lease-2026' })).rejects.toThrow(/PIN_INCORRECT/);
    await expect(
      Pkcs11Signer.open({
        ...token,
        tokenLabel: 'nope',
        keyLabel: 'lease-2026',
      }),
    ).rejects.toThrow(/token with label "nope" not found/);
    await expect(Pkcs11Signer.open({ ...token, keyLabel: 'missing' })).rejects.toThrow(/"missing" not found/);
    signer = await Pkcs11Signer.open({ ...token, keyLabel: 'lease-2026' });
  });
});
