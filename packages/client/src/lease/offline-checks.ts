import { ClockRollbackError, OfflineGraceExpiredError } from '../errors/errors.js';
import { formatTime } from '../errors/format-time.js';

/**
 * The error for a clock set back, or `null` when it is not: the clock may not read
 * earlier than the latest time this machine has seen (or the token's issue time),
 * less the tolerance.
 *
 * @example
 * ```ts
 * clockRollback(Date.now() - 3600_000, Date.now(), 0, 300_000); // ClockRollbackError, 3600 s back
 * ```
 */
export function clockRollback(now: number, lastSeenAt: number, issuedAt: number, toleranceMs: number): ClockRollbackError | null {
  const latest = Math.max(lastSeenAt, issuedAt);
  if (now >= latest - toleranceMs) return null;
  const behind = Math.round((latest - now) / 1000);
  return new ClockRollbackError(
    `This computer's clock reads ${new Date(now).toISOString()}, earlier than ${new Date(latest).toISOString()}, a time it already passed (${behind} s back). Set the clock to the correct time, then start again; offline use is refused until then.`,
    behind,
  );
}

/**
 * The error for an offline grace that ended at `graceUntil` (ms; 0 or `null` when unknown).
 *
 * @example
 * ```ts
 * graceExpired('https://lic.example.com', Date.parse('2030-01-01T12:00:00Z'), Date.now());
 * ```
 */
export function graceExpired(serverUrl: string, graceUntil: number | null, now: number, cause?: unknown): OfflineGraceExpiredError {
  const end = new Date(graceUntil || 0);
  const when = graceUntil ? ` at ${formatTime(end, new Date(now))}` : '';
  return new OfflineGraceExpiredError(
    `The license server at ${serverUrl} has not been reachable and the offline grace period of this license ended${when}. Connect to the network (or the VPN) and start the program again.`,
    end,
    cause === undefined ? undefined : { cause },
  );
}
