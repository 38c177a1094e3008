import { LeaseholdError, ServerError, type ServerUnreachableError } from '../errors/errors.js';
import { clockRollback, graceExpired } from './offline-checks.js';
import type { LeaseMode } from './status.js';

/** Codes after which a cached token must not be used any more. */
export const TERMINAL_LICENSE_CODES = new Set(['LICENSE_REVOKED', 'LICENSE_SUSPENDED', 'LICENSE_EXPIRED', 'LICENSE_NOT_FOUND']);
const SESSION_GONE_CODES = new Set(['SESSION_NOT_FOUND', 'SESSION_EXPIRED', 'FINGERPRINT_MISMATCH']);
/** Offline, the server is asked again this often (or at the heartbeat interval, if shorter). */
const OFFLINE_RETRY_MS = 15_000;

/**
 * What the lease machine decides on. The client rebuilds it from what it holds
 * (mode, error, the token's times, the cached state) before every step.
 */
export interface LeaseSnapshot {
  mode: LeaseMode;
  /** Why the lease is `lost`, or why it is `offline`. */
  error: LeaseholdError | null;
  /** The token's `exp` in ms: the end of the offline grace (or of a borrow). */
  graceUntil: number | null;
  /** The token's `iat` in ms, 0 when unknown. */
  issuedAt: number;
  /** The latest time this machine has seen, in ms; `null` while no state is loaded. */
  lastSeenAt: number | null;
  /** The plan's heartbeat interval in ms. */
  intervalMs: number;
}

/** What the machine is told; `at` is the time the client read from its clock. */
export type LeaseInput =
  /** The server granted a seat and its token verified. */
  | { type: 'acquired' }
  /** After an offline start without a session, a seat was taken: the server is back. */
  | { type: 'seat-retaken' }
  /** A session cached by an earlier run was renewed instead of taking a seat. */
  | { type: 'resumed' }
  /** The server could not be reached at acquire; the cached token verified offline. */
  | { type: 'offline-start'; error: ServerUnreachableError }
  /** At acquire, the cached token is borrowed and still valid. */
  | { type: 'borrow-found' }
  /** The server checked the seat out for offline use. */
  | { type: 'borrowed' }
  /** The server answered a heartbeat (a manual or background one). */
  | { type: 'heartbeat-answered' }
  /** A background heartbeat finished well. */
  | { type: 'heartbeat-ok' }
  /** A background heartbeat could not reach the server. */
  | { type: 'heartbeat-unreachable'; at: number; error: ServerUnreachableError }
  /** A background heartbeat failed otherwise: refused by the server, or a token that did not verify. */
  | { type: 'heartbeat-refused'; error: unknown }
  /** The time was read (`status()`): offline or borrowed, the deadlines and the clock are checked. */
  | { type: 'deadline-check'; at: number }
  /** The seat is gone for `error` (after the effects that came before it). */
  | { type: 'lose'; error: LeaseholdError }
  /** `release()` or `returnBorrow()` began: no more heartbeats, no release on exit. */
  | { type: 'release-requested' }
  /** The seat was given back. */
  | { type: 'released' };

/** What the client is to do, in order; each `persist` and `forget-session` is awaited before the next. */
export type LeaseEffect =
  /** Run the next background heartbeat in `delayMs`, replacing any pending one. */
  | { type: 'schedule'; delayMs: number }
  /** Drop the pending heartbeat. */
  | { type: 'cancel' }
  | { type: 'hook-exit' }
  | { type: 'unhook-exit' }
  /** Save the cached state; `background`: without waiting, a failure ignored. */
  | { type: 'persist'; background?: true }
  /** Forget the session and the token; a failure to save is ignored. */
  | { type: 'forget-session' }
  | { type: 'emit'; event: 'renewed' | 'recovered' }
  | { type: 'emit'; event: 'offline' | 'lost'; error: LeaseholdError }
  /** Feed `{ type: 'lose', error }` back to the machine. */
  | { type: 'lose'; error: LeaseholdError };

export interface LeaseStep {
  state: LeaseSnapshot;
  effects: LeaseEffect[];
}

export interface LeaseMachineConfig {
  /** Named in the grace-expired message. */
  serverUrl: string;
  /** How far the clock may go back before it counts as set back. */
  clockToleranceMs: number;
  /** Renew in the background (`heartbeat` option). */
  heartbeats: boolean;
  /** Give the seat back when the process ends (`releaseOnExit` option). */
  releaseOnExit: boolean;
}

/**
 * The lease's decisions, without timers, I/O or clock reads: given where the lease
 * stands and what happened, where it stands now and what the client must do.
 *
 * @example
 * ```ts
 * const machine = new LeaseMachine({ serverUrl, clockToleranceMs: 300_000, heartbeats: true, releaseOnExit: true });
 * const { state, effects } = machine.step(snapshot, { type: 'heartbeat-unreachable', at: Date.now(), error });
 * ```
 */
export class LeaseMachine {
  readonly #config: LeaseMachineConfig;

  constructor(config: LeaseMachineConfig) {
    this.#config = config;
  }

  step(state: LeaseSnapshot, input: LeaseInput): LeaseStep {
    switch (input.type) {
      case 'acquired':
        return { state: online(state), effects: [{ type: 'persist' }, ...this.#startHeartbeats(state.intervalMs), emit('renewed')] };
      case 'seat-retaken':
        return { state, effects: [emit('recovered')] };
      case 'resumed':
        return { state, effects: this.#startHeartbeats(state.intervalMs) };
      case 'offline-start':
        return {
          state: { ...state, mode: 'offline', error: input.error },
          effects: [
            { type: 'persist', background: true },
            { type: 'emit', event: 'offline', error: input.error },
            ...this.#startHeartbeats(Math.min(OFFLINE_RETRY_MS, state.intervalMs)),
          ],
        };
      case 'borrow-found':
        return { state: { ...state, mode: 'borrowed' }, effects: [{ type: 'persist' }] };
      case 'borrowed':
        return { state: { ...online(state), mode: 'borrowed' }, effects: [{ type: 'cancel' }, { type: 'unhook-exit' }, { type: 'persist' }] };
      case 'heartbeat-answered':
        return {
          state: online(state),
          effects: [{ type: 'persist' }, ...(state.mode === 'offline' ? [emit('recovered')] : []), emit('renewed')],
        };
      case 'heartbeat-ok':
        return { state, effects: [{ type: 'schedule', delayMs: state.intervalMs }] };
      case 'heartbeat-unreachable':
        return this.#unreachable(state, input.at, input.error);
      case 'heartbeat-refused':
        return refused(state, input.error);
      case 'deadline-check':
        return this.#checkDeadlines(state, input.at);
      case 'lose':
        return lose(state, input.error);
      case 'release-requested':
        return { state, effects: [{ type: 'cancel' }, { type: 'unhook-exit' }] };
      case 'released':
        return { state: { ...state, mode: 'released' }, effects: [] };
    }
  }

  #startHeartbeats(firstDelayMs: number): LeaseEffect[] {
    return [
      ...(this.#config.releaseOnExit ? [{ type: 'hook-exit' } as const] : []),
      ...(this.#config.heartbeats ? [{ type: 'schedule', delayMs: firstDelayMs } as const] : []),
    ];
  }

  #unreachable(state: LeaseSnapshot, at: number, error: ServerUnreachableError): LeaseStep {
    if (state.mode === 'released' || state.mode === 'lost') return { state, effects: [] };
    const goesOffline = state.mode !== 'offline';
    // The status sent with `offline` is read after the deadline check: a grace already over reports `lost` first.
    const checked = this.#checkDeadlines(goesOffline ? { ...state, mode: 'offline', error } : state, at);
    const effects = [...checked.effects, ...(goesOffline ? [{ type: 'emit', event: 'offline', error } as const] : [])];
    if (checked.state.mode !== 'offline') return { state: checked.state, effects };
    const graceLeft = (state.graceUntil ?? 0) - at;
    effects.push({ type: 'schedule', delayMs: Math.max(1, Math.min(OFFLINE_RETRY_MS, state.intervalMs, graceLeft)) });
    return { state: checked.state, effects };
  }

  #checkDeadlines(state: LeaseSnapshot, at: number): LeaseStep {
    if (state.mode !== 'offline' && state.mode !== 'borrowed') return { state, effects: [] };
    const rollback = state.lastSeenAt === null ? null : clockRollback(at, state.lastSeenAt, state.issuedAt, this.#config.clockToleranceMs);
    if (rollback) return lose(state, rollback);
    if (state.graceUntil !== null && at >= state.graceUntil) return lose(state, graceExpired(this.#config.serverUrl, state.graceUntil, at));
    return { state, effects: [] };
  }
}

function online(state: LeaseSnapshot): LeaseSnapshot {
  return { ...state, mode: 'online', error: null };
}

function emit(event: 'renewed' | 'recovered'): LeaseEffect {
  return { type: 'emit', event };
}

function refused(state: LeaseSnapshot, error: unknown): LeaseStep {
  if (state.mode === 'released' || state.mode === 'lost') return { state, effects: [] };
  const gone = error instanceof ServerError && (SESSION_GONE_CODES.has(error.code) || TERMINAL_LICENSE_CODES.has(error.code));
  const reason = error instanceof LeaseholdError ? error : new LeaseholdError('PROTOCOL_ERROR', String(error));
  // The session is forgotten before the seat counts as lost.
  return { state, effects: [...(gone ? [{ type: 'forget-session' } as const] : []), { type: 'lose', error: reason }] };
}

function lose(state: LeaseSnapshot, error: LeaseholdError): LeaseStep {
  if (state.mode === 'lost') return { state, effects: [] };
  return { state: { ...state, mode: 'lost', error }, effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error }] };
}
