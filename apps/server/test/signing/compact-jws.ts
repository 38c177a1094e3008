import type { Signer } from '../../src/signing/signer.js';

/** The lease-token header type used by these tests; any explicit `typ` would do. */
export const TEST_TYP = 'leasehold-lease+jwt';

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/**
 * Assembles a compact JWS around a signer exactly as RFC 7515 describes it, so
 * the signers are checked against the standard rather than against our own
 * token code: `b64url(header) . b64url(payload) . b64url(signature)`.
 */
export async function signCompact(signer: Signer, claims: Record<string, unknown>): Promise<string> {
  const kid = await signer.currentKeyId();
  const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: TEST_TYP, kid }));
  const payload = b64url(JSON.stringify(claims));
  const signingInput = `${header}.${payload}`;
  const signature = await signer.sign(kid, new TextEncoder().encode(signingInput));
  if (signature.length !== 64) throw new Error(`Ed25519 signatures are 64 bytes, got ${signature.length}`);
  return `${signingInput}.${b64url(signature)}`;
}

/** Flips one character of the payload, keeping it valid base64url, so a verifier must reject the token. */
export function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const swapped = payload.endsWith('A') ? `${payload.slice(0, -1)}B` : `${payload.slice(0, -1)}A`;
  return `${header}.${swapped}.${signature}`;
}
