import type { JSONWebKeySet } from 'jose';
import type { Signer } from './signer.js';

/** The public JWKS document: one EdDSA key per `kid`, and nothing private. */
export async function jwksDocument(signers: Signer[]): Promise<JSONWebKeySet> {
  const keys = [];
  for (const signer of signers) {
    for (const key of await signer.publicKeys()) {
      const { kty, crv, x } = key.jwk;
      keys.push({ kty, crv, x, kid: key.kid, alg: 'EdDSA', use: 'sig' });
    }
  }
  return { keys } as JSONWebKeySet;
}
