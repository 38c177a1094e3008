import { createPublicKey } from 'node:crypto';
import { KeyManagementServiceClient, protos } from '@google-cloud/kms';
import type { JWK } from 'jose';
import type { PublicSigningKey, Signer } from './signer.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof KeyManagementServiceClient>[0]>;

const ED25519 = protos.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm.EC_SIGN_ED25519;
const KEY_VERSION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)\/cryptoKeyVersions\/(\d+)$/;

export interface KmsSignerOptions {
  /**
   * Full resource name of the key version that signs new tokens:
   * `projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N`.
   * The key must have purpose ASYMMETRIC_SIGN and algorithm EC_SIGN_ED25519.
   */
  keyVersionName: string;
  /** Key versions rotated out but still published in the JWKS until their tokens expire. */
  previousKeyVersionNames?: readonly string[];
  /** API base URL; defaults to `https://cloudkms.googleapis.com`. Tests point it at a local fake. */
  endpoint?: string;
  /** Credentials; defaults to Application Default Credentials (Workload Identity on GKE). */
  authClient?: ClientOptions['authClient'];
}

interface KmsKey {
  name: string;
  kid: string;
  jwk: JWK;
}

/**
 * Signs with an Ed25519 key in Google Cloud KMS (asymmetricSign on the raw
 * signing input: Ed25519 keys sign data, not digests). Public keys are fetched
 * once at open: a key version's key material never changes.
 *
 * Uses the official client over its REST transport, the one the tests exercise
 * against a local fake of the API, and checks CRC32C both ways as Google
 * recommends, so a corrupted request or response is refused, not published.
 */
export class KmsSigner implements Signer {
  readonly kind = 'kms';
  readonly #client: KeyManagementServiceClient;
  readonly #current: KmsKey;
  readonly #keys: KmsKey[];

  private constructor(client: KeyManagementServiceClient, keys: KmsKey[]) {
    this.#client = client;
    this.#keys = keys;
    // open() always puts the current key first.
    this.#current = keys[0] as KmsKey;
  }

  static async open(options: KmsSignerOptions): Promise<KmsSigner> {
    const names = [options.keyVersionName, ...(options.previousKeyVersionNames ?? [])];
    for (const name of names) kidOf(name);
    const client = new KeyManagementServiceClient({
      fallback: true,
      ...endpointOptions(options.endpoint),
      ...(options.authClient ? { authClient: options.authClient } : {}),
    });
    try {
      const keys = await Promise.all(names.map((name) => fetchPublicKey(client, name)));
      return new KmsSigner(client, keys);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  async currentKeyId(): Promise<string> {
    return this.#current.kid;
  }

  async sign(keyId: string, data: Uint8Array): Promise<Uint8Array> {
    if (keyId !== this.#current.kid) throw new Error(`KMS signer cannot sign with key ${keyId}: only the current key signs`);
    const [response] = await this.#client.asymmetricSign({
      name: this.#current.name,
      data,
      dataCrc32c: { value: crc32c(data) },
    });
    if (!response.verifiedDataCrc32c) throw new Error('KMS did not verify the CRC32C of the data it signed');
    if (response.name !== this.#current.name) throw new Error(`KMS signed with ${response.name}, not ${this.#current.name}`);
    const signature = toBytes(response.signature);
    if (Number(response.signatureCrc32c?.value) !== crc32c(signature)) {
      throw new Error('KMS signature failed its CRC32C check');
    }
    if (signature.length !== 64) throw new Error(`KMS returned a ${signature.length}-byte signature, not Ed25519`);
    return signature;
  }

  async publicKeys(): Promise<PublicSigningKey[]> {
    return this.#keys.map((key) => ({ kid: key.kid, jwk: { ...key.jwk }, retiresAt: null }));
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/**
 * The kid names the key version it comes from, readable in a token header or a
 * log line: `kms-<keyRing>-<cryptoKey>-v<version>`.
 */
export function kidOf(keyVersionName: string): string {
  const match = KEY_VERSION_NAME.exec(keyVersionName);
  if (!match) throw new Error(`Not a Cloud KMS key version resource name: ${keyVersionName}`);
  const [, , , keyRing, cryptoKey, version] = match;
  return `kms-${keyRing}-${cryptoKey}-v${version}`;
}

function endpointOptions(endpoint: string | undefined): Partial<ClientOptions> {
  if (!endpoint) return {};
  const url = new URL(endpoint);
  const protocol = url.protocol.replace(':', '');
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { apiEndpoint: url.hostname, port, protocol } as Partial<ClientOptions>;
}

async function fetchPublicKey(client: KeyManagementServiceClient, name: string): Promise<KmsKey> {
  const [publicKey] = await client.getPublicKey({ name });
  const algorithm = publicKey.algorithm;
  if (algorithm !== ED25519 && algorithm !== 'EC_SIGN_ED25519') {
    throw new Error(`KMS key ${name} has algorithm ${String(algorithm)}, expected EC_SIGN_ED25519`);
  }
  const pem = publicKey.pem ?? '';
  if (Number(publicKey.pemCrc32c?.value) !== crc32c(new TextEncoder().encode(pem))) {
    throw new Error(`KMS public key ${name} failed its CRC32C check`);
  }
  const exported = createPublicKey(pem).export({ format: 'jwk' });
  if (exported.kty !== 'OKP' || exported.crv !== 'Ed25519' || typeof exported.x !== 'string') {
    throw new Error(`KMS public key ${name} is not an Ed25519 key`);
  }
  const kid = kidOf(name);
  return { name, kid, jwk: { kty: 'OKP', crv: 'Ed25519', x: exported.x, kid, alg: 'EdDSA', use: 'sig' } };
}

function toBytes(value: Uint8Array | string | null | undefined): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  throw new Error('KMS returned no signature');
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // Castagnoli polynomial, reflected.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli), the checksum Cloud KMS uses for request and response integrity. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
