/**
 * How requests are retried on network errors, 5xx and 429. A 4xx is a decision
 * and is never retried.
 *
 * @example
 * ```ts
 * const retry: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };
 * ```
 */
export interface RetryPolicy {
  /** Total tries, the first included. Default 4. */
  attempts?: number;
  /** The first backoff step. Default 250 ms. */
  baseDelayMs?: number;
  /** The cap of one backoff step. Default 8000 ms. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this ends the retries at once. Default 60 000 ms. */
  maxRetryAfterMs?: number;
}

/**
 * The delay before retry number `attempt` (0-based): "full jitter" exponential
 * backoff, at least the server's `Retry-After` when it sent one.
 *
 * @example
 * ```ts
 * backoffDelay(2, { baseDelayMs: 100, maxDelayMs: 1000 }, Math.random, null); // 0…400 ms
 * ```
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs: number | null): number {
  const base = policy.baseDelayMs ?? 250;
  const cap = policy.maxDelayMs ?? 8000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === null ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * Parses `Retry-After`: delay-seconds or an HTTP date. `null` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter('3', Date.now()); // 3000
 * ```
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
