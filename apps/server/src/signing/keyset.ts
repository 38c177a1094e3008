import { jwksDocument } from './jwks.js';
import type { Signer } from './signer.js';

/** The `typ` of the signed key-set document: never mistaken for a lease or access token. */
const KEY_SET_TYPE = 'leasehold-keyset+jws';

/** A JWS in the general JSON serialisation (RFC 7515 §7.2.1): one payload, several signatures. */
export interface SignedKeySet {
  payload: string;
  signatures: { protected: string; signature: string }[];
}

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/**
 * The public keys as a document signed by every key still published (next,
 * current and retired ones in their overlap): a program that trusts any one of
 * them (pinned at build time, or learned from an earlier key set) can trust the
 * others, and nobody without one of those private keys can add a key.
 * Payload: `{ iss, iat, keys }`, `keys` as in the JWKS.
 */
export async function signedKeySet(signer: Signer, issuer: string, now: Date): Promise<SignedKeySet> {
  const { keys } = await jwksDocument([signer]);
  const kids = signer.keySetKeyIds ? await signer.keySetKeyIds() : [await signer.currentKeyId()];
  const basis = JSON.stringify({ issuer, keys, kids });
  const signed = lastSigned.get(signer);
  // Signed again only when the keys change: the route is public, and a KMS signature costs.
  if (signed?.basis === basis) return signed.document;
  const payload = b64url(JSON.stringify({ iss: issuer, iat: Math.floor(now.getTime() / 1000), keys }));
  const signatures = [];
  for (const kid of kids) {
    const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: KEY_SET_TYPE, kid }));
    const signature = await signer.sign(kid, new TextEncoder().encode(`${header}.${payload}`));
    signatures.push({ protected: header, signature: b64url(signature) });
  }
  const document = { payload, signatures };
  lastSigned.set(signer, { basis, document });
  return document;
}

const lastSigned = new WeakMap<Signer, { basis: string; document: SignedKeySet }>();
