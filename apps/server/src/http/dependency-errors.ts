import { systemClock } from '../kernel/clock.js';

/** A dependency the server cannot answer without. */
export type Dependency = 'database' | 'redis' | 'signer';

/** Seconds a caller is told to wait when a dependency cannot answer. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

// Socket-level failures of any client (pg, ioredis): the peer is gone, not the query wrong.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

// SQLSTATE class 08 (connection exception), 57P01–57P05 (admin/crash shutdown, cannot
// connect now, idle session timeout…), 53300 (too many connections).
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1-5]|53300)$/;

// pg and pg-pool say these in plain messages, without a code.
const PG_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Client was closed and is not queryable',
  'terminating connection',
  'the database system is',
];

// The embedded database once it is closed (shutdown) answers only this.
const PGLITE_CLOSED = 'PGlite is closed';

// ioredis: the connection is down (no offline queue), gave up retrying or timed out.
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);
// Redis refusing for a while (loading, out of memory, a failover, a busy script, a cluster
// resharding) answers 503; any other reply error (a wrong type, a failing script) is a
// fault of ours and stays a 500 that alerts.
const REDIS_UNAVAILABLE_REPLY = /^(LOADING|OOM|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|MOVED|ASK)\b/;
const REDIS_MESSAGES = ['Connection is closed', "Stream isn't writeable", 'Command timed out', 'Reached the max retries per request limit'];

/** The error and its causes (drizzle wraps driver errors as `cause`), outermost first. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    yield current as Record<string, unknown>;
    if (current instanceof AggregateError && current.errors[0]) {
      current = current.errors[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Which dependency an error says is unreachable, or null when it is some other
 * failure. A connection that was refused, reset, shut down or timed out means
 * "retry shortly" (503), never a fault of the server (500).
 */
export function unavailableDependency(error: unknown): Dependency | null {
  for (const link of errorChain(error)) {
    const code = typeof link.code === 'string' ? link.code : '';
    const message = typeof link.message === 'string' ? link.message : '';
    const name = typeof link.name === 'string' ? link.name : '';
    if (REDIS_NAMES.has(name) || REDIS_MESSAGES.some((m) => message.startsWith(m))) return 'redis';
    if (name === 'ReplyError' && REDIS_UNAVAILABLE_REPLY.test(message)) return 'redis';
    if (SQLSTATE_UNAVAILABLE.test(code)) return 'database';
    if (message.startsWith(PGLITE_CLOSED)) return 'database';
    if (PG_MESSAGES.some((m) => message.includes(m))) return 'database';
    // Redis failures reach here already mapped (see RedisConnection.run); a raw socket error is pg's.
    if (SOCKET_CODES.has(code)) return 'database';
  }
  return null;
}

/**
 * One log line per outage, not one per request: a dependency's first failure after
 * a quiet spell of `quietMs` is logged; the rest of the outage is only counted.
 */
export class OutageLog {
  readonly #lastFailure = new Map<Dependency, number>();
  readonly #suppressed = new Map<Dependency, number>();

  constructor(
    private readonly now: () => number = () => systemClock.now().getTime(),
    private readonly quietMs = 10_000,
  ) {}

  /** Notes a failure; calls `write` only for the first of an outage, with how many were not logged in the previous one. */
  failed(dependency: Dependency, write: (previousSuppressed: number) => void): void {
    const now = this.now();
    const last = this.#lastFailure.get(dependency);
    this.#lastFailure.set(dependency, now);
    if (last !== undefined && now - last < this.quietMs) {
      this.#suppressed.set(dependency, (this.#suppressed.get(dependency) ?? 0) + 1);
      return;
    }
    const previous = this.#suppressed.get(dependency) ?? 0;
    this.#suppressed.set(dependency, 0);
    write(previous);
  }
}

/**
 * True when the database refused a value itself (SQLSTATE class 22: out of range,
 * bad encoding…). Validation should have caught it, but it is the caller's input, so
 * it answers 400 (the statement failed, so nothing changed), not 500.
 */
export function isRefusedValue(error: unknown): boolean {
  for (const link of errorChain(error)) if (typeof link.code === 'string' && /^22[0-9A-Z]{3}$/.test(link.code)) return true;
  return false;
}
