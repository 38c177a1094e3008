import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthenticatedKey } from '../services/api-key-service.js';

/** The browser cookie of a dashboard session opened with an admin API key. */
export const ADMIN_SESSION_COOKIE = 'lh_admin';
/** Readable by the dashboard's scripts, which echo it in `x-csrf-token` on every change. */
export const ADMIN_CSRF_COOKIE = 'lh_admin_csrf';

/** Looks up a live key by ID; the dashboard session is signed with its stored hash. */
export type KeyLookup = (id: string) => Promise<(AuthenticatedKey & { secretHash: string }) | null>;

const mac = (secretHash: string, text: string) => createHmac('sha256', secretHash).update(text).digest('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A session cookie carries the key's ID, an expiry and a MAC keyed by the key's stored
 * hash: no secret of the key reaches the browser, every replica can check it, and
 * revoking the key ends its sessions at once.
 */
export function openAdminSession(key: { id: string; secretHash: string }, now: Date, ttlSeconds: number): { cookie: string; csrf: string } {
  const body = `${key.id}.${Math.floor(now.getTime() / 1000) + ttlSeconds}.${randomBytes(12).toString('base64url')}`;
  const cookie = `${body}.${mac(key.secretHash, body)}`;
  return { cookie, csrf: csrfFor(key.secretHash, cookie) };
}

function csrfFor(secretHash: string, cookie: string): string {
  return mac(secretHash, `csrf:${cookie}`);
}

/** The key behind a dashboard cookie, or null when it is forged, expired or its key is revoked. */
export async function checkAdminSession(cookie: string, now: Date, lookup: KeyLookup): Promise<{ key: AuthenticatedKey; csrf: string } | null> {
  const parts = cookie.split('.');
  if (parts.length !== 4) return null;
  const [id, exp, nonce, tag] = parts as [string, string, string, string];
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now.getTime()) return null;
  const key = await lookup(id);
  if (!key || !sameText(mac(key.secretHash, `${id}.${exp}.${nonce}`), tag)) return null;
  const { secretHash, ...rest } = key;
  return { key: rest, csrf: csrfFor(secretHash, cookie) };
}

export function csrfEquals(expected: string, presented: unknown): boolean {
  return typeof presented === 'string' && sameText(expected, presented);
}
