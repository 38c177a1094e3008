import { calculateJwkThumbprint, type JWK } from 'jose';
import pkcs11js from 'pkcs11js';
import type { PublicSigningKey, Signer } from './signer.js';

/**
 * Mechanism and key type numbers from PKCS#11 v3.0. pkcs11js does not export
 * them, and they are fixed by the standard, so they are spelled out here.
 */
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;
const CKK_EC_EDWARDS = 0x40;
export const PKCS11_MECHANISMS = {
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  CKM_EDDSA,
  CKK_EC_EDWARDS,
} as const;

/** DER of the Ed25519 OID 1.3.101.112, the usual CKA_EC_PARAMS for an Ed25519 key. */
const ED25519_OID_DER = Buffer.from('06032b6570', 'hex');
/** Some tokens store the curve by name instead (PrintableString "edwards25519"). */
const ED25519_NAME_DER = Buffer.concat([Buffer.from([0x13, 12]), Buffer.from('edwards25519', 'ascii')]);

export interface Pkcs11SignerOptions {
  /** Path of the vendor's PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  modulePath: string;
  /** Label of the token that holds the key (as given to `softhsm2-util --init-token --label`). */
  tokenLabel: string;
  /** User PIN of the token. */
  pin: string;
  /** CKA_LABEL of the Ed25519 key pair that signs new tokens. */
  keyLabel: string;
  /**
   * Labels of key pairs rotated out but still published in the JWKS so that
   * tokens they signed stay verifiable until they expire.
   */
  previousKeyLabels?: readonly string[];
}

interface TokenKey {
  kid: string;
  label: string;
  jwk: JWK;
  privateKey: pkcs11js.Handle | null;
}

/**
 * Signs with an Ed25519 key held in a PKCS#11 token (an HSM, or SoftHSM2 in
 * tests) via CKM_EDDSA. The private key never leaves the token.
 *
 * One logged-in session is kept open; PKCS#11 allows only one operation at a
 * time per session, so signatures are serialised through a promise chain.
 */
export class Pkcs11Signer implements Signer {
  readonly kind = 'pkcs11';
  readonly #lib: pkcs11js.PKCS11;
  readonly #session: pkcs11js.Handle;
  readonly #current: TokenKey;
  readonly #keys: TokenKey[];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, keys: TokenKey[]) {
    this.#lib = lib;
    this.#session = session;
    this.#keys = keys;
    // open() always puts the current key first.
    this.#current = keys[0] as TokenKey;
  }

  /** Loads the module, logs into the token and looks the keys up. Fails loudly if anything is missing. */
  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    const lib = new pkcs11js.PKCS11();
    lib.load(options.modulePath);
    lib.C_Initialize();
    try {
      const slot = findSlot(lib, options.tokenLabel);
      const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      lib.C_Login(session, pkcs11js.CKU_USER, options.pin);
      const labels = [options.keyLabel, ...(options.previousKeyLabels ?? [])];
      const keys: TokenKey[] = [];
      for (const [index, label] of labels.entries()) {
        keys.push(await readKey(lib, session, label, index === 0));
      }
      return new Pkcs11Signer(lib, session, keys);
    } catch (error) {
      lib.C_Finalize();
      lib.close();
      throw error;
    }
  }

  async currentKeyId(): Promise<string> {
    return this.#current.kid;
  }

  sign(keyId: string, data: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new Error('PKCS#11 signer is closed'));
    if (keyId !== this.#current.kid) {
      return Promise.reject(new Error(`PKCS#11 signer cannot sign with key ${keyId}: only the current key signs`));
    }
    const run = async (): Promise<Uint8Array> => {
      const key = this.#current.privateKey as pkcs11js.Handle;
      this.#lib.C_SignInit(this.#session, { mechanism: CKM_EDDSA }, key);
      const signature = await this.#lib.C_SignAsync(this.#session, Buffer.from(data), Buffer.alloc(64));
      return new Uint8Array(signature);
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async publicKeys(): Promise<PublicSigningKey[]> {
    return this.#keys.map((key) => ({
      kid: key.kid,
      jwk: { ...key.jwk },
      retiresAt: null,
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    try {
      this.#lib.C_Logout(this.#session);
      this.#lib.C_CloseSession(this.#session);
    } finally {
      this.#lib.C_Finalize();
      this.#lib.close();
    }
  }
}

function findSlot(lib: pkcs11js.PKCS11, tokenLabel: string): pkcs11js.Handle {
  for (const slot of lib.C_GetSlotList(true)) {
    // Token labels are blank-padded to 32 bytes.
    if (lib.C_GetTokenInfo(slot).label.trimEnd() === tokenLabel) return slot;
  }
  throw new Error(`PKCS#11 token with label "${tokenLabel}" not found`);
}

function findOne(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, objectClass: number, label: string): pkcs11js.Handle | null {
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: objectClass },
    { type: pkcs11js.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  try {
    const found = lib.C_FindObjects(session, 2);
    if (found.length > 1) throw new Error(`PKCS#11 key label "${label}" is ambiguous: several objects carry it`);
    return found[0] ?? null;
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

async function readKey(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, label: string, needsPrivate: boolean): Promise<TokenKey> {
  const publicKey = findOne(lib, session, pkcs11js.CKO_PUBLIC_KEY, label);
  if (!publicKey) throw new Error(`PKCS#11 Ed25519 public key "${label}" not found`);
  const privateKey = needsPrivate ? findOne(lib, session, pkcs11js.CKO_PRIVATE_KEY, label) : null;
  if (needsPrivate && !privateKey) throw new Error(`PKCS#11 Ed25519 private key "${label}" not found`);

  const [params, point] = lib.C_GetAttributeValue(session, publicKey, [{ type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_EC_POINT }]);
  const curve = params?.value as Buffer | undefined;
  if (!curve || !(curve.equals(ED25519_OID_DER) || curve.equals(ED25519_NAME_DER))) {
    throw new Error(`PKCS#11 key "${label}" is not an Ed25519 key`);
  }
  const raw = ed25519PointBytes(point?.value as Buffer | undefined);
  const jwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
  // The RFC 7638 thumbprint names the key by its content, so the kid survives relabelling and re-import.
  const kid = `pkcs11-${await calculateJwkThumbprint(jwk, 'sha256')}`;
  return {
    kid,
    label,
    jwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' },
    privateKey,
  };
}

/** CKA_EC_POINT holds the 32-byte key, DER-wrapped in an OCTET STRING by most tokens (SoftHSM2 included), raw by some. */
function ed25519PointBytes(value: Buffer | undefined): Buffer {
  if (value?.length === 32) return value;
  if (value?.length === 34 && value[0] === 0x04 && value[1] === 32) return value.subarray(2);
  throw new Error('PKCS#11 CKA_EC_POINT is not a 32-byte Ed25519 point');
}
