import type { ErrorCode } from '@leasehold/protocol/errors';

/**
 * The one error type services throw. It carries a code from the shared closed list
 * and facts for the caller; the HTTP layer turns it into problem+json. Services
 * never know about HTTP statuses.
 */
export class LeaseholdError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;
  /** Seconds the caller should wait before trying again, for 429 and 503. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}, retryAfterSeconds?: number) {
    super(detail);
    this.name = 'LeaseholdError';
    this.code = code;
    this.extensions = extensions;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A resource the caller may not see answers exactly as a missing one. */
export function notFound(what: string, id: string): LeaseholdError {
  return new LeaseholdError('NOT_FOUND', `No ${what} with ID ${id}.`);
}
