import type { Signer } from './signer.js';

const encoder = new TextEncoder();

function b64url(value: string | Uint8Array): string {
  return (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64url');
}

/** Encoded headers by type and key ID: a Redis-store heartbeat rebuilds its token's, and they are few. */
const headers = new Map<string, string>();
const HEADERS_KEPT = 64;

function encodedHeader(typ: string, kid: string): string {
  const name = `${typ} ${kid}`;
  let header = headers.get(name);
  if (header === undefined) {
    header = b64url(JSON.stringify({ alg: 'EdDSA', typ, kid }));
    if (headers.size >= HEADERS_KEPT) headers.clear();
    headers.set(name, header);
  }
  return header;
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
  return `${encodedHeader(typ, kid)}.${b64url(JSON.stringify(payload))}`;
}
