import type { LeaseholdErrorCode } from './codes.js';

/**
 * The base of every error the SDK throws. `code` is stable: switch on it, not on
 * the message, which is written for the person at the keyboard.
 *
 * @example
 * ```ts
 * try {
 *   await client.acquire();
 * } catch (error) {
 *   if (error instanceof LeaseholdError) console.error(`${error.message} (${error.code})`);
 *   throw error;
 * }
 * ```
 */
export class LeaseholdError extends Error {
  override name = 'LeaseholdError';
  readonly code: LeaseholdErrorCode;

  constructor(code: LeaseholdErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The server refused a request with a problem+json answer (RFC 9457). `status`,
 * `requestId` and the raw `problem` help support trace it.
 *
 * @example
 * ```ts
 * if (error instanceof ServerError && error.code === 'LICENSE_SUSPENDED') showRenewalDialog();
 * ```
 */
export class ServerError extends LeaseholdError {
  override name = 'ServerError';
  readonly status: number;
  readonly requestId: string | undefined;
  readonly problem: Record<string, unknown>;

  constructor(code: LeaseholdErrorCode, message: string, status: number, problem: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
    this.problem = problem;
    this.requestId = typeof problem.requestId === 'string' ? problem.requestId : undefined;
  }
}

/**
 * One program holding a seat, as the server reports it when no seat is free.
 *
 * @example
 * ```ts
 * const names = error.holders.map((h: SeatHolder) => h.hostname ?? 'unknown');
 * ```
 */
export interface SeatHolder {
  hostname: string | null;
  userId: string | null;
  since: string | null;
  expiresAt: string | null;
}

/**
 * Every seat of the license is taken. Tells who holds them and when the next one
 * is expected to free.
 *
 * @example
 * ```ts
 * if (error instanceof NoSeatAvailableError) {
 *   console.error(error.message); // "All 3 seats of this license are in use (by alice-laptop, …)"
 *   if (error.nextFreeAt) scheduleRetry(error.nextFreeAt);
 * }
 * ```
 */
export class NoSeatAvailableError extends ServerError {
  override name = 'NoSeatAvailableError';
  /** With `wait`: the place in the server's seat queue when the wait ran out (or between polls). */
  readonly queue: QueuePlace | null;
  readonly seatsUsed: number | null;
  readonly seatsTotal: number | null;
  readonly nextFreeAt: Date | null;
  readonly holders: SeatHolder[];

  constructor(message: string, status: number, problem: Record<string, unknown>) {
    super('NO_SEAT_AVAILABLE', message, status, problem);
    this.seatsUsed = typeof problem.seatsUsed === 'number' ? problem.seatsUsed : null;
    this.seatsTotal = typeof problem.seatsTotal === 'number' ? problem.seatsTotal : null;
    this.nextFreeAt = typeof problem.nextFreeAt === 'string' ? new Date(problem.nextFreeAt) : null;
    this.holders = Array.isArray(problem.holders) ? problem.holders.map(toHolder) : [];
    this.queue = toQueuePlace(problem.queue);
  }
}

/** A place in a license's seat queue: seats that free go to waiters in order. */
export interface QueuePlace {
  ticket: string;
  /** 1 when next. */
  position: number;
  waiting: number;
  estimatedWaitSeconds: number | null;
}

function toQueuePlace(value: unknown): QueuePlace | null {
  const q = value as Record<string, unknown> | null | undefined;
  if (!q || typeof q.ticket !== 'string' || typeof q.position !== 'number') return null;
  return {
    ticket: q.ticket,
    position: q.position,
    waiting: typeof q.waiting === 'number' ? q.waiting : q.position,
    estimatedWaitSeconds: typeof q.estimatedWaitSeconds === 'number' ? q.estimatedWaitSeconds : null,
  };
}

function toHolder(value: unknown): SeatHolder {
  const h = (value ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { hostname: str(h.hostname), userId: str(h.userId), since: str(h.since), expiresAt: str(h.expiresAt) };
}

/**
 * The server could not be reached (network error, timeout, 5xx or 429 after the
 * retries) and there was no cached token to fall back on.
 *
 * @example
 * ```ts
 * if (error instanceof ServerUnreachableError) console.error('Check your network or proxy settings.');
 * ```
 */
export class ServerUnreachableError extends LeaseholdError {
  override name = 'ServerUnreachableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVER_UNREACHABLE', message, options);
  }
}

/**
 * The program may no longer run offline: the lease token's grace deadline passed.
 *
 * @example
 * ```ts
 * client.on('lost', (error) => {
 *   if (error instanceof OfflineGraceExpiredError) saveWorkAndQuit(error.message);
 * });
 * ```
 */
export class OfflineGraceExpiredError extends LeaseholdError {
  override name = 'OfflineGraceExpiredError';
  readonly graceEndedAt: Date;
  constructor(message: string, graceEndedAt: Date, options?: { cause?: unknown }) {
    super('OFFLINE_GRACE_EXPIRED', message, options);
    this.graceEndedAt = graceEndedAt;
  }
}

/**
 * The clock reads earlier than a time this machine already recorded: someone set
 * it back, so offline time limits cannot be trusted.
 *
 * @example
 * ```ts
 * if (error instanceof ClockRollbackError) console.error(`Clock is ${error.behindBySeconds}s behind.`);
 * ```
 */
export class ClockRollbackError extends LeaseholdError {
  override name = 'ClockRollbackError';
  readonly behindBySeconds: number;
  constructor(message: string, behindBySeconds: number) {
    super('CLOCK_ROLLBACK', message);
    this.behindBySeconds = behindBySeconds;
  }
}

/**
 * A lease token failed verification. `reason` says which check failed.
 *
 * @example
 * ```ts
 * if (error instanceof TokenVerificationError && error.reason === 'signature') reportTampering();
 * ```
 */
export class TokenVerificationError extends LeaseholdError {
  override name = 'TokenVerificationError';
  readonly reason: TokenFailureReason;
  constructor(reason: TokenFailureReason, message: string) {
    super(reason === 'fingerprint' ? 'FINGERPRINT_MISMATCH' : 'LEASE_TOKEN_INVALID', message);
    this.reason = reason;
  }
}

/**
 * Which check a lease token failed.
 *
 * @example
 * ```ts
 * const fatal: TokenFailureReason[] = ['signature', 'unknown-key'];
 * ```
 */
export type TokenFailureReason = 'malformed' | 'header' | 'unknown-key' | 'signature' | 'audience' | 'issuer' | 'fingerprint' | 'expired' | 'claims';
