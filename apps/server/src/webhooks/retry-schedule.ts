/**
 * Seconds to wait after each failed attempt: 15 attempts spread over about 29 hours,
 * soon at first (a blip), then hours apart (an outage). After the last, the delivery
 * has failed.
 */
export const RETRY_DELAYS_SECONDS = [5, 30, 120, 300, 900, 1800, 3600, 3600, 7200, 7200, 10_800, 14_400, 18_000, 36_000];

export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** When to try again after `attempts` failed attempts, or null when they are used up. */
export function nextAttemptAfter(attempts: number, now: Date): Date | null {
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay * 1000);
}
