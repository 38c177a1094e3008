import { verify } from 'node:crypto';
import { LEASE_TOKEN_ALGORITHM, LEASE_TOKEN_TYPE, type LeaseTokenClaims } from '@leasehold/protocol/lease-token';
import { type TokenFailureReason, TokenVerificationError } from '../errors/errors.js';
import type { KeyRing } from './jwks.js';

/**
 * What a lease token must match besides its signature.
 *
 * @example
 * ```ts
 * const expect: LeaseTokenExpectations = { product: 'coditect', fingerprint: fp, now: Date.now() };
 * ```
 */
export interface LeaseTokenExpectations {
  /** The product code the token must be for (`aud`). */
  product: string;
  /** This machine's fingerprint: the token must be bound to it. */
  fingerprint: string;
  /** The server's public URL, when known: the token's `iss` must equal it. */
  issuer?: string;
  /** Milliseconds since the epoch. Past `exp` (the offline-grace deadline) the token is refused. */
  now: number;
  /** Allowed clock skew in seconds for `exp`. Default 0: the grace deadline is already generous. */
  clockToleranceSeconds?: number;
}

/**
 * A verified lease token.
 *
 * @example
 * ```ts
 * const { claims } = verifyLeaseToken(token, keys, expect);
 * console.log(claims.entitlements);
 * ```
 */
export interface VerifiedLeaseToken {
  header: { alg: string; typ: string; kid: string };
  claims: LeaseTokenClaims;
}

/**
 * Verifies a lease token offline with Node's Ed25519: the header must say
 * `alg: EdDSA` and `typ: leasehold-lease+jwt` with a known `kid`, the signature
 * must hold, and `aud`, `fingerprint`, `iss` and `exp` must match. Throws
 * {@link TokenVerificationError} naming the failed check.
 *
 * @example
 * ```ts
 * const keys = new KeyRing(pinnedJwks);
 * const verified = verifyLeaseToken(leaseToken, keys, { product: 'coditect', fingerprint, now: Date.now() });
 * ```
 */
export function verifyLeaseToken(token: string, keys: KeyRing, expect: LeaseTokenExpectations): VerifiedLeaseToken {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) fail('malformed', 'The lease token is not a compact JWS.');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart) as Record<string, unknown>;
  if (header.alg !== LEASE_TOKEN_ALGORITHM) fail('header', `The lease token's algorithm ${String(header.alg)} is not accepted.`);
  if (header.typ !== LEASE_TOKEN_TYPE) fail('header', `The token is a ${String(header.typ)}, not a lease token.`);
  if (header.crit !== undefined) fail('header', 'The lease token has critical header parameters this client does not know.');
  if (typeof header.kid !== 'string') fail('header', 'The lease token does not name its signing key.');
  const key = keys.get(header.kid as string);
  if (!key) fail('unknown-key', `The lease token was signed by key "${String(header.kid)}", which this program does not trust.`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (signature.length !== 64 || !verify(null, signed, key as NonNullable<typeof key>, signature)) {
    fail('signature', 'The lease token signature is not valid: the cached token was altered or not issued by the license server.');
  }
  const claims = decodeJson(payloadPart) as unknown as LeaseTokenClaims;
  checkClaims(claims, expect);
  return { header: header as VerifiedLeaseToken['header'], claims };
}

function checkClaims(claims: LeaseTokenClaims, expect: LeaseTokenExpectations): void {
  if (typeof claims.exp !== 'number' || typeof claims.session_id !== 'string' || typeof claims.fingerprint !== 'string') {
    fail('claims', 'The lease token lacks required claims.');
  }
  const audiences = Array.isArray(claims.aud) ? (claims.aud as string[]) : [claims.aud];
  if (!audiences.includes(expect.product)) fail('audience', `The lease token is for ${String(claims.aud)}, not ${expect.product}.`);
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) {
    fail('issuer', `The lease token was issued by ${String(claims.iss)}, not ${expect.issuer}.`);
  }
  if (claims.fingerprint !== expect.fingerprint) {
    fail('fingerprint', 'The lease token belongs to another machine: this machine has to take its own seat.');
  }
  const tolerance = (expect.clockToleranceSeconds ?? 0) * 1000;
  if (expect.now >= claims.exp * 1000 + tolerance) {
    fail('expired', `The lease token's offline grace ended at ${new Date(claims.exp * 1000).toISOString()}.`);
  }
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return fail('malformed', 'The lease token is not a compact JWS.');
}

/**
 * Reads a lease token's claims WITHOUT verifying it: for display only.
 *
 * @example
 * ```ts
 * decodeLeaseTokenUnverified(token)?.exp;
 * ```
 */
export function decodeLeaseTokenUnverified(token: string): LeaseTokenClaims | null {
  try {
    const payload = token.split('.')[1];
    return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LeaseTokenClaims) : null;
  } catch {
    return null;
  }
}

function fail(reason: TokenFailureReason, message: string): never {
  throw new TokenVerificationError(reason, message);
}
