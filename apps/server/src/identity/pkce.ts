import { createHash } from 'node:crypto';
import { randomSecret } from '../crypto.js';

/** A PKCE pair (RFC 7636): a 43-character verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomSecret(32);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
