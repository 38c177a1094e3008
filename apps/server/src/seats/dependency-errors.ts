import { LeaseholdError } from '../kernel/errors.js';

/** Seconds a caller waits before retrying when a dependency (PostgreSQL, Redis, the signer) is down. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

/**
 * A dependency of the seat stores failed for everyone, not for one request: the
 * database went away, a connection broke, the pool ran dry. Answered 503 with
 * Retry-After (a LeaseholdError, so the HTTP layer maps it as it maps the others).
 */
class DependencyUnavailable extends LeaseholdError {
  constructor(readonly reason: unknown) {
    super(
      'SERVICE_UNAVAILABLE',
      'A service the seat store needs is unavailable for a moment. Nothing was changed; retry shortly.',
      {},
      DEPENDENCY_RETRY_AFTER_SECONDS,
    );
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_MESSAGES =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|not queryable/i;

/**
 * Whether an error says the dependency is down rather than that this job is wrong:
 * network errors, PostgreSQL's connection (08…), shutdown (57P…) and resource (53…)
 * classes, and the 503s the stores already raise.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof LeaseholdError) return error.code === 'SERVICE_UNAVAILABLE';
  // The query builder wraps the driver's error: look down the chain of causes.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(08|53|57P)/.test(code))) return true;
    if (NETWORK_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** The error a caller sees for a failure that hit everyone: a 503, unless it already is a LeaseholdError. */
export function asUnavailable(error: unknown): unknown {
  return error instanceof LeaseholdError ? error : new DependencyUnavailable(error);
}

/** Runs a seat store call, answering an outage of a dependency as 503 rather than as a fault. */
export async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isInfrastructureError(error) ? asUnavailable(error) : error;
  }
}
