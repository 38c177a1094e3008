import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatLicenseKey } from '@leasehold/protocol/license-key';

/** SHA-256 in hex. Secrets here carry 120+ bits of entropy, so a fast hash is enough to store them. */
export function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Compares a secret with a stored hash in constant time. */
export function matchesHash(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A random URL-safe secret with `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const KEY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new license key: 24 random Crockford base32 characters (120 bits) and a check character. */
export function newLicenseKey(): string {
  const bytes = randomBytes(24);
  let data = '';
  for (const byte of bytes) data += KEY_ALPHABET[byte % 32];
  return formatLicenseKey(data);
}

/** A new API key secret; the `lh_` prefix lets secret scanners find leaked ones. */
export function newApiKeySecret(): string {
  return `lh_${randomBytes(30).toString('base64url')}`;
}
