import type { ErrorCode } from '@leasehold/protocol/errors';

/**
 * Codes the SDK raises on its own, without a server answer. They complete the
 * server's closed list, so a caller can `switch` on one `code` for both.
 *
 * @example
 * ```ts
 * if (error instanceof LeaseholdError && error.code === 'OFFLINE_GRACE_EXPIRED') process.exit(6);
 * ```
 */
export type ClientErrorCode =
  /** The server could not be reached and no usable cached token exists. */
  | 'SERVER_UNREACHABLE'
  /** The program ran offline until the token's grace deadline. */
  | 'OFFLINE_GRACE_EXPIRED'
  /** The system clock is earlier than a time this machine already saw. */
  | 'CLOCK_ROLLBACK'
  /** A lease token failed verification (signature, key, type, audience, expiry). */
  | 'LEASE_TOKEN_INVALID'
  /** No lease is held, nor a license key or sign-in to take one. */
  | 'NOT_LICENSED'
  /** The server answered something that is not the Leasehold protocol. */
  | 'PROTOCOL_ERROR'
  /** The device sign-in was refused, expired or failed. */
  | 'LOGIN_FAILED';

/**
 * Every code a {@link LeaseholdError} may carry: the server's list plus the SDK's.
 *
 * @example
 * ```ts
 * function exitCode(code: LeaseholdErrorCode): number {
 *   return code === 'NO_SEAT_AVAILABLE' ? 3 : 1;
 * }
 * ```
 */
export type LeaseholdErrorCode = ErrorCode | ClientErrorCode;
