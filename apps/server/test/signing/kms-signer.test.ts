import { OAuth2Client } from 'google-auth-library';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { toProto3JSON } from 'proto3-json-serializer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signCompactJws } from '../../src/signing/jws.js';
import { crc32c, KmsSigner, type KmsSignerOptions, kidOf } from '../../src/signing/kms-signer.js';
import { signCompact, TEST_TYP, tamper } from './compact-jws.js';
import { ACCESS_TOKEN, type FakeKms, kmsProtos, startFakeKms } from './fake-kms.js';

const RING = 'projects/leasehold-test/locations/europe-west1/keyRings/leasehold';
const V1 = `${RING}/cryptoKeys/lease-signing/cryptoKeyVersions/1`;
const V2 = `${RING}/cryptoKeys/lease-signing/cryptoKeyVersions/2`;
const RSA = `${RING}/cryptoKeys/rsa/cryptoKeyVersions/1`;
const claims = { iss: 'https://auth.example.test', sub: 'lic_test', sid: 'ses_test' };

/** A real google-auth-library client holding a static token, so nothing reaches for the metadata server. */
function staticToken(): KmsSignerOptions['authClient'] {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: ACCESS_TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

/** Turns a google.api.http path template into a regex for the concrete path. */
function templateToRegex(template: string): RegExp {
  const pattern = template.replace(/\{name=([^}]+)\}/, (_, segments: string) => segments.replaceAll('*', '[^/:]+')).replace(/[.:]/g, (c) => `\\${c}`);
  return new RegExp(`^${pattern}$`);
}

async function jwksOf(signer: KmsSigner): Promise<JSONWebKeySet> {
  return { keys: (await signer.publicKeys()).map((key) => key.jwk) };
}

describe('KmsSigner against a local fake of the Cloud KMS REST API', () => {
  let kms: FakeKms;
  let signer: KmsSigner;
  const open = (options: Partial<KmsSignerOptions> = {}) =>
    KmsSigner.open({ keyVersionName: V1, endpoint: kms.endpoint, authClient: staticToken(), ...options });

  beforeAll(async () => {
    kms = await startFakeKms();
    kms.addKeyVersion(V1);
    kms.addKeyVersion(V2);
    kms.addKeyVersion(RSA, 'RSA_SIGN_PSS_2048_SHA256');
    signer = await open();
  });
  afterAll(async () => {
    await signer?.close();
    await kms?.close();
  });
  beforeEach(() => {
    kms.requests.length = 0;
  });

  it('signs a compact JWS that jose verifies with nothing but the JWKS', async () => {
    const jws = await signCompact(signer, claims);
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'EdDSA', typ: TEST_TYP, kid: 'kms-leasehold-lease-signing-v1' });
    const { payload } = await jwtVerify(jws, createLocalJWKSet(await jwksOf(signer)), {
      algorithms: ['EdDSA'],
      typ: TEST_TYP,
    });
    expect(payload).toMatchObject(claims);
    await expect(jwtVerify(tamper(jws), createLocalJWKSet(await jwksOf(signer)))).rejects.toThrow(/signature/);
  });

  it('signs lease tokens assembled by the server (jws.ts) verifiably', async () => {
    const jws = await signCompactJws(signer, TEST_TYP, claims);
    const { payload } = await jwtVerify(jws, createLocalJWKSet(await jwksOf(signer)), { algorithms: ['EdDSA'], typ: TEST_TYP });
    expect(payload).toMatchObject(claims);
  });

  it('sends asymmetricSign exactly as the official protos define it', async () => {
    const jws = await signCompact(signer, claims);
    const signingInput = Buffer.from(jws.split('.').slice(0, 2).join('.'));
    const [request] = kms.requests;

    const service = kmsProtos.lookupService('google.cloud.kms.v1.KeyManagementService');
    const rule = service.methods.AsymmetricSign?.options?.['(google.api.http).post'] as string;
    expect(request?.method).toBe('POST');
    expect(decodeURIComponent(request?.path ?? '')).toMatch(templateToRegex(rule));
    expect(decodeURIComponent(request?.path ?? '')).toBe(`/v1/${V1}:asymmetricSign`);
    expect(request?.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);

    // body "*" minus the path parameter: every other field of AsymmetricSignRequest, in proto3 JSON.
    const expected = toProto3JSON(
      kmsProtos.lookupType('google.cloud.kms.v1.AsymmetricSignRequest').fromObject({
        data: signingInput,
        dataCrc32c: { value: crc32c(signingInput) },
      }),
    );
    expect(request?.body).toEqual(expected);
  });

  it('fetches each public key once, with the GET the protos define, and caches it', async () => {
    const fresh = await open({ keyVersionName: V2, previousKeyVersionNames: [V1] });
    await fresh.publicKeys();
    await fresh.publicKeys();
    await fresh.close();
    const rule = kmsProtos.lookupService('google.cloud.kms.v1.KeyManagementService').methods.GetPublicKey?.options?.['(google.api.http).get'] as string;
    const gets = kms.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
    expect(gets.sort()).toEqual([`GET /v1/${V1}/publicKey`, `GET /v1/${V2}/publicKey`]);
    for (const r of kms.requests) expect(decodeURIComponent(r.path)).toMatch(templateToRegex(rule));
  });

  it('keeps tokens of the previous key version verifiable after rotation', async () => {
    const oldToken = await signCompact(signer, claims);
    const rotated = await open({ keyVersionName: V2, previousKeyVersionNames: [V1] });
    try {
      expect(await rotated.currentKeyId()).toBe('kms-leasehold-lease-signing-v2');
      expect((await rotated.publicKeys()).map((k) => k.kid)).toEqual(['kms-leasehold-lease-signing-v2', 'kms-leasehold-lease-signing-v1']);
      const jwks = createLocalJWKSet(await jwksOf(rotated));
      await expect(jwtVerify(oldToken, jwks)).resolves.toBeTruthy();
      await expect(jwtVerify(await signCompact(rotated, claims), jwks)).resolves.toBeTruthy();
    } finally {
      await rotated.close();
    }
  });

  it('refuses a key that is not Ed25519, a malformed name, or a corrupted signature', async () => {
    await expect(open({ keyVersionName: RSA })).rejects.toThrow(/expected EC_SIGN_ED25519/);
    await expect(open({ keyVersionName: 'projects/x/keys/y' })).rejects.toThrow(/Not a Cloud KMS key version/);
    await expect(open({ keyVersionName: `${RING}/cryptoKeys/absent/cryptoKeyVersions/1` })).rejects.toThrow();
    kms.corruptNextSignature();
    await expect(signCompact(signer, claims)).rejects.toThrow(/CRC32C/);
    await expect(signer.sign('kms-other-v9', new Uint8Array([1]))).rejects.toThrow(/only the current key/);
  });

  it('computes CRC32C (Castagnoli) as KMS does', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(kidOf(V2)).toBe('kms-leasehold-lease-signing-v2');
  });
});
