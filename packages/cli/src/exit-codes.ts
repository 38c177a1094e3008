import type { LeaseholdErrorCode } from '@leasehold/client';

/**
 * The exit codes of `leasehold`, stable across versions, so scripts can branch on them.
 *
 * @example
 * ```ts
 * process.exitCode = EXIT_CODES.NO_SEAT;
 * ```
 */
export const EXIT_CODES = {
  /** It worked. */
  OK: 0,
  /** Something unexpected failed (a bug, a disk error). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing server or product. */
  USAGE: 2,
  /** Every seat of the license is in use. */
  NO_SEAT: 3,
  /** The license refuses: bad or unknown key, suspended, revoked, expired, borrowing not allowed. */
  LICENSE_REFUSED: 4,
  /** The license server cannot be reached (network, 5xx, rate limited) and nothing cached helps. */
  UNREACHABLE: 5,
  /** Offline use refused: grace period over, clock set back, cached token invalid or for another machine. */
  OFFLINE_REFUSED: 6,
  /** Not signed in or no license set up on this machine; or the sign-in failed. */
  NOT_LICENSED: 7,
  /** `doctor` found at least one problem. */
  DOCTOR_PROBLEM: 8,
} as const;

// Keyed by string: server codes added later (e.g. TOKEN_INVALID for a rejected sign-in) map without a type change.
const BY_CODE: Record<string, number> = {
  NO_SEAT_AVAILABLE: EXIT_CODES.NO_SEAT,
  SESSION_EXPIRED: EXIT_CODES.NO_SEAT,
  INVALID_LICENSE_KEY: EXIT_CODES.LICENSE_REFUSED,
  LICENSE_NOT_FOUND: EXIT_CODES.LICENSE_REFUSED,
  LICENSE_SUSPENDED: EXIT_CODES.LICENSE_REFUSED,
  LICENSE_REVOKED: EXIT_CODES.LICENSE_REFUSED,
  LICENSE_EXPIRED: EXIT_CODES.LICENSE_REFUSED,
  BORROW_NOT_ALLOWED: EXIT_CODES.LICENSE_REFUSED,
  FORBIDDEN: EXIT_CODES.LICENSE_REFUSED,
  SERVER_UNREACHABLE: EXIT_CODES.UNREACHABLE,
  RATE_LIMITED: EXIT_CODES.UNREACHABLE,
  SERVICE_UNAVAILABLE: EXIT_CODES.UNREACHABLE,
  INTERNAL_ERROR: EXIT_CODES.UNREACHABLE,
  OFFLINE_GRACE_EXPIRED: EXIT_CODES.OFFLINE_REFUSED,
  CLOCK_ROLLBACK: EXIT_CODES.OFFLINE_REFUSED,
  LEASE_TOKEN_INVALID: EXIT_CODES.OFFLINE_REFUSED,
  FINGERPRINT_MISMATCH: EXIT_CODES.OFFLINE_REFUSED,
  NOT_LICENSED: EXIT_CODES.NOT_LICENSED,
  UNAUTHENTICATED: EXIT_CODES.NOT_LICENSED,
  TOKEN_INVALID: EXIT_CODES.NOT_LICENSED,
  LOGIN_FAILED: EXIT_CODES.NOT_LICENSED,
  SESSION_NOT_FOUND: EXIT_CODES.NOT_LICENSED,
};

/**
 * The exit code for an error code.
 *
 * @example
 * ```ts
 * exitCodeFor('NO_SEAT_AVAILABLE'); // 3
 * ```
 */
export function exitCodeFor(code: LeaseholdErrorCode): number {
  return BY_CODE[code] ?? EXIT_CODES.FAILURE;
}
