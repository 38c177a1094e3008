import { isErrorCode } from '@leasehold/protocol/errors';
import { LeaseholdError, NoSeatAvailableError, ServerError } from './errors.js';
import { formatTime } from './format-time.js';

/** What a person can do about each refusal. */
const ADVICE: Partial<Record<string, string>> = {
  INVALID_LICENSE_KEY: 'Check the license key for typing mistakes; it looks like ABCDE-FGHJK-MNPQR-STVWX-YZ012.',
  LICENSE_NOT_FOUND: 'No license matches this key for this product. Check the key and the product, or ask your administrator.',
  UNAUTHENTICATED: 'Sign in again (leasehold login) or provide a license key.',
  TOKEN_INVALID: 'Your sign-in is no longer accepted. Sign in again with "leasehold login".',
  FORBIDDEN: 'Your account is not allowed to use this license. Ask your administrator for access.',
  LICENSE_SUSPENDED: 'This license is suspended. Ask your administrator or the vendor to reinstate it.',
  LICENSE_REVOKED: 'This license has been revoked. Ask your administrator for a new license key.',
  LICENSE_EXPIRED: 'This license has expired. Ask your administrator to renew it.',
  FINGERPRINT_MISMATCH: 'This session belongs to another machine. Start the program again to take a seat on this one.',
  BORROW_NOT_ALLOWED: 'Your plan does not allow borrowing a seat for offline use, or not for that long.',
  SESSION_NOT_FOUND: 'The seat was released (perhaps by an administrator). Start the program again to take a new one.',
  SESSION_EXPIRED: 'The seat lapsed while this program was out of touch and every seat is now taken. Try again later.',
  RATE_LIMITED: 'The license server is receiving too many requests. Wait a minute and try again.',
  SERVICE_UNAVAILABLE: 'The license server is temporarily unavailable. Try again in a few minutes.',
  INTERNAL_ERROR: 'The license server failed. Try again; if it persists, contact support with the request ID.',
  VALIDATION_FAILED: 'The request was refused as invalid; this is likely a bug in the program, please report it.',
};

/**
 * Turns a problem+json answer into a typed error with a message a person can act on.
 *
 * @example
 * ```ts
 * throw errorFromProblem(409, { code: 'NO_SEAT_AVAILABLE', seatsUsed: 3, seatsTotal: 3, holders: [] });
 * ```
 */
export function errorFromProblem(status: number, problem: Record<string, unknown>, now = new Date()): ServerError {
  const code = isErrorCode(problem.code) ? problem.code : status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED';
  if (code === 'NO_SEAT_AVAILABLE') {
    const provisional = new NoSeatAvailableError('', status, problem);
    const message = noSeatMessage(provisional, now);
    return new NoSeatAvailableError(message, status, problem);
  }
  const detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : undefined;
  const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
  const advice = ADVICE[code];
  // The server's detail already says what to do; the advice is for answers without one.
  const parts = [detail ?? title];
  if (advice && !detail) parts.push(advice);
  const fields = Array.isArray(problem.errors)
    ? (problem.errors as { path?: string; message?: string }[]).map((e) => `${e.path}: ${e.message}`).join('; ')
    : '';
  if (fields) parts.push(`(${fields})`);
  return new ServerError(code, parts.map(sentence).join(' '), status, problem);
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

/** "All 3 seats of this license are in use (by alice-laptop, ci-runner-2, …). The next one frees at 14:05 unless released sooner." */
function noSeatMessage(error: NoSeatAvailableError, now: Date): string {
  const total = error.seatsTotal;
  const head =
    total === null
      ? 'Every seat of this license is in use'
      : total === 1
        ? 'The one seat of this license is in use'
        : `All ${total} seats of this license are in use`;
  const counts = new Map<string, number>();
  for (const h of error.holders) {
    const name = h.hostname ?? h.userId ?? 'an unnamed machine';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const names = [...counts].map(([name, n]) => (n > 1 ? `${name} (${n}×)` : name));
  const shown = names.slice(0, 5);
  const by = shown.length ? ` (by ${shown.join(', ')}${names.length > shown.length ? ', …' : ''})` : '';
  const next = error.nextFreeAt
    ? ` The next one frees at ${formatTime(error.nextFreeAt, now)} unless released sooner.`
    : ' Try again when a colleague closes the program, or ask your administrator for more seats.';
  return `${head}${by}.${next}`;
}

/**
 * Wraps anything thrown into a {@link LeaseholdError}, keeping the original as `cause`.
 *
 * @example
 * ```ts
 * const error = asLeaseholdError(new Error('boom')); // code PROTOCOL_ERROR
 * ```
 */
export function asLeaseholdError(error: unknown): LeaseholdError {
  if (error instanceof LeaseholdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LeaseholdError('PROTOCOL_ERROR', message, { cause: error });
}
