import { hash } from 'node:crypto';

/**
 * A lease token as the Redis store keeps it between heartbeats: only what a server
 * cannot work out again from the license's terms and the session (the times, the key
 * ID, the signature) and a digest of what was signed, about 150 bytes instead of about
 * 780. `LeaseTokens.restore` rebuilds the exact token from it. Longer than Redis keeps
 * (MAX_STORED, a very long key ID), nothing is stored and heartbeats sign anew.
 */
export interface StoredTimes {
  /** When it was signed, in milliseconds (iat and jti come from it). */
  issuedAtMs: number;
  exp: number;
  leaseExpiresAt: number;
  borrowedUntil: number | null;
}

const VERSION = 'v1';
/** The longest stored form Redis keeps, so a session's packed record (redis/seat-scripts.ts) stays small. */
export const MAX_STORED = 320;
const FIELDS = 8;

/** The digest that proves a rebuilt signing input is the one that was signed. */
export function signingInputDigest(input: string): string {
  // The first 12 bytes: 16 base64url characters, with no padding to cut.
  return hash('sha256', input, 'base64url').slice(0, 16);
}

/** The stored form of a lease token, or '' when it is not one this server signs. */
export function storedLeaseToken(token: string): string {
  const [header, payload, signature, extra] = token.split('.');
  if (!header || !payload || !signature || extra !== undefined) return '';
  try {
    const kid = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).kid;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const issuedAtMs = Number.parseInt(String(claims.jti).slice(String(claims.jti).lastIndexOf('.') + 1), 36);
    if (typeof kid !== 'string' || !Number.isSafeInteger(issuedAtMs)) return '';
    const times = [issuedAtMs, claims.exp, claims.lease_expires_at, claims.borrowed_until ?? ''].map((n) => (n === '' ? '' : Number(n).toString(36)));
    // The key ID goes last: it is the one part that may hold the separator.
    const stored = [VERSION, ...times, signingInputDigest(`${header}.${payload}`), signature, kid].join('.');
    return Buffer.byteLength(stored) <= MAX_STORED ? stored : '';
  } catch {
    return '';
  }
}

/** The parts of a stored token, or null when it is not one. */
export function parseStoredLeaseToken(stored: string): { times: StoredTimes; digest: string; signature: string; kid: string } | null {
  const parts = stored.split('.');
  if (parts.length < FIELDS || parts[0] !== VERSION) return null;
  const [, issued, exp, lease, borrowed, digest, signature] = parts as string[];
  const number = (value: string | undefined) => Number.parseInt(value ?? '', 36);
  const times = { issuedAtMs: number(issued), exp: number(exp), leaseExpiresAt: number(lease), borrowedUntil: borrowed ? number(borrowed) : null };
  if (![times.issuedAtMs, times.exp, times.leaseExpiresAt, times.borrowedUntil ?? 0].every(Number.isSafeInteger)) return null;
  return { times, digest: digest as string, signature: signature as string, kid: parts.slice(FIELDS - 1).join('.') };
}

/** The first byte of a stored form packed for Redis; text forms begin with 'v'. */
const PACKED = 0x01;

/**
 * A lease token as Redis keeps it: its stored form with the digest and the signature as
 * raw bytes (each after a byte giving its length), about 25 bytes fewer than base64url.
 * A form that does not pack (not one, a part over 255 bytes) stays text; '' for none.
 */
export function redisLeaseToken(token: string | null | undefined): Buffer {
  const stored = token ? storedLeaseToken(token) : '';
  const parts = stored.split('.');
  if (parts.length >= FIELDS && parts[0] === VERSION) {
    const head = Buffer.from(parts.slice(0, FIELDS - 3).join('.'));
    const [digest, signature] = [parts[FIELDS - 3] as string, parts[FIELDS - 2] as string].map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer];
    // Only what unpacks to the very same text: a canonical base64url digest and signature.
    const canonical = digest.toString('base64url') === parts[FIELDS - 3] && signature.toString('base64url') === parts[FIELDS - 2];
    if (canonical && head.length < 256 && digest.length < 256 && signature.length < 256)
      return Buffer.concat([
        Buffer.of(PACKED, head.length),
        head,
        Buffer.of(digest.length),
        digest,
        Buffer.of(signature.length),
        signature,
        Buffer.from(parts.slice(FIELDS - 1).join('.')),
      ]);
  }
  return Buffer.from(stored);
}

/** The stored form back from what Redis keeps (see redisLeaseToken). */
export function storedFromRedis(kept: Buffer): string {
  if (kept[0] !== PACKED) return kept.toString();
  let at = 1;
  const part = () => {
    const length = kept[at] ?? 0;
    const bytes = kept.subarray(at + 1, at + 1 + length);
    at += 1 + length;
    return bytes;
  };
  const head = part().toString();
  const digest = part().toString('base64url');
  const signature = part().toString('base64url');
  return `${head}.${digest}.${signature}.${kept.subarray(at).toString()}`;
}
