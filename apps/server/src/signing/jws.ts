import type { Signer } from './signer.js';

const encoder = new TextEncoder();

function b64url(value: string | Uint8Array): string {
  return Buffer.from(typeof value === 'string' ? encoder.encode(value) : value).toString('base64url');
}

/**
 * Builds a compact JWS (RFC 7515) with EdDSA around any Signer: the header carries
 * `alg`, `typ` and `kid`; the signer only sees the signing input.
 */
export async function signCompactJws(signer: Signer, typ: string, payload: object): Promise<string> {
  const kid = await signer.currentKeyId();
  const input = jwsSigningInput(typ, kid, payload);
  const signature = await signer.sign(kid, encoder.encode(input));
  return `${input}.${b64url(signature)}`;
}

/** The part of a compact JWS that is signed: header and payload, each base64url-encoded JSON. */
export function jwsSigningInput(typ: string, kid: string, payload: object): string {
  return `${b64url(JSON.stringify({ alg: 'EdDSA', typ, kid }))}.${b64url(JSON.stringify(payload))}`;
}
