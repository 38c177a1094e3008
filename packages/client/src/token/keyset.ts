import { verify } from 'node:crypto';
import { TokenVerificationError } from '../errors/errors.js';
import { type JsonWebKeySet, KeyRing } from './jwks.js';

/** The `typ` of the server's signed key-set document. */
export const KEY_SET_TYPE = 'leasehold-keyset+jws';

/** The most key-set documents kept: rotations are rare, and each one only adds keys. */
const MAX_KEY_SETS = 32;

/**
 * Verifies a signed key set (`/.well-known/leasehold-keyset.jws`, a JWS in the
 * general JSON serialisation) against keys already trusted: at least one
 * signature must be by a trusted key and hold. Returns the keys it lists.
 * Throws {@link TokenVerificationError} otherwise, so no one without a trusted
 * private key can add a key.
 *
 * @example
 * ```ts
 * const learned = verifyKeySet(documentText, new KeyRing(pinnedJwks));
 * ```
 */
export function verifyKeySet(document: string, trusted: KeyRing, issuer?: string): JsonWebKeySet {
  let parsed: { payload?: unknown; signatures?: unknown };
  try {
    parsed = JSON.parse(document) as typeof parsed;
  } catch {
    throw new TokenVerificationError('malformed', 'The key set is not a JSON Web Signature.');
  }
  const payload = parsed?.payload;
  const signatures = Array.isArray(parsed?.signatures) ? (parsed.signatures as { protected?: unknown; signature?: unknown }[]) : [];
  if (typeof payload !== 'string' || signatures.length === 0) throw new TokenVerificationError('malformed', 'The key set is not a JSON Web Signature.');
  let signedByTrusted = false;
  for (const entry of signatures) {
    if (typeof entry?.protected !== 'string' || typeof entry.signature !== 'string') continue;
    const header = decode(entry.protected);
    if (header?.alg !== 'EdDSA' || header.typ !== KEY_SET_TYPE || typeof header.kid !== 'string' || header.crit !== undefined) continue;
    const key = trusted.get(header.kid);
    if (!key) continue;
    const signature = Buffer.from(entry.signature, 'base64url');
    if (signature.length === 64 && verify(null, Buffer.from(`${entry.protected}.${payload}`, 'ascii'), key, signature)) {
      signedByTrusted = true;
      break;
    }
  }
  if (!signedByTrusted) {
    throw new TokenVerificationError('unknown-key', 'The key set offered by the server is not signed by a key this program trusts; it was not accepted.');
  }
  const body = decode(payload);
  if (!body || !Array.isArray(body.keys)) throw new TokenVerificationError('malformed', 'The key set lists no keys.');
  if (issuer !== undefined && body.iss !== issuer) throw new TokenVerificationError('issuer', `The key set was issued by ${String(body.iss)}, not ${issuer}.`);
  return { keys: body.keys as JsonWebKeySet['keys'] };
}

/**
 * The keys trusted from `roots` (the pinned keys) through a chain of key-set
 * documents, each accepted only when signed by a key trusted before it. Documents
 * that do not chain are ignored, so a hand-edited state file adds nothing.
 *
 * @example
 * ```ts
 * const keys = trustedKeys(pinnedJwks, state.keysets ?? []);
 * ```
 */
export function trustedKeys(roots: JsonWebKeySet, documents: readonly string[], issuer?: string): KeyRing {
  const ring = new KeyRing(roots);
  const pending = [...documents];
  for (let progress = true; progress && pending.length > 0; ) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      try {
        ring.add(verifyKeySet(pending[i] as string, ring, issuer));
        pending.splice(i--, 1);
        progress = true;
      } catch {
        // Not (yet) signed by a trusted key: another document may make it so.
      }
    }
  }
  return ring;
}

/**
 * The documents to keep after learning `document`: newest last, bounded.
 *
 * @example
 * ```ts
 * state.keysets = rememberKeySet(state.keysets, text);
 * ```
 */
export function rememberKeySet(documents: readonly string[] | undefined, document: string): string[] {
  const kept = (documents ?? []).filter((d) => d !== document);
  kept.push(document);
  // The oldest go first; the newest, signed by the keys in use, carry the chain on.
  return kept.slice(-MAX_KEY_SETS);
}

function decode(part: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
