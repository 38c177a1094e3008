/**
 * The source of time. Leases, grace periods and rollback checks all read it, so
 * tests pass a fake one instead of sleeping.
 *
 * @example
 * ```ts
 * let now = Date.parse('2030-01-01T00:00:00Z');
 * const clock: Clock = { now: () => now };
 * now += 3600_000; // an hour later, instantly
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * The system clock.
 *
 * @example
 * ```ts
 * new LeaseClient({ ..., clock: systemClock });
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };
