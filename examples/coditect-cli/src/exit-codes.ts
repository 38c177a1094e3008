import type { LeaseholdErrorCode } from '@leasehold/client';

/**
 * CODITECT's exit codes for licensing failures, the same numbers as `leasehold`'s.
 *
 * @example
 * ```ts
 * process.exitCode = exitCodeFor(error.code);
 * ```
 */
export function exitCodeFor(code: LeaseholdErrorCode): number {
  switch (code as string) {
    case 'NO_SEAT_AVAILABLE':
    case 'SESSION_EXPIRED':
      return 3;
    case 'INVALID_LICENSE_KEY':
    case 'LICENSE_NOT_FOUND':
    case 'LICENSE_SUSPENDED':
    case 'LICENSE_REVOKED':
    case 'LICENSE_EXPIRED':
    case 'FORBIDDEN':
      return 4;
    case 'SERVER_UNREACHABLE':
    case 'RATE_LIMITED':
    case 'SERVICE_UNAVAILABLE':
    case 'INTERNAL_ERROR':
      return 5;
    case 'OFFLINE_GRACE_EXPIRED':
    case 'CLOCK_ROLLBACK':
    case 'LEASE_TOKEN_INVALID':
    case 'FINGERPRINT_MISMATCH':
      return 6;
    case 'NOT_LICENSED':
    case 'UNAUTHENTICATED':
    case 'TOKEN_INVALID':
    case 'SESSION_NOT_FOUND':
      return 7;
    default:
      return 1;
  }
}
