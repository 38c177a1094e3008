import { describe, expect, it } from 'vitest';
import { LeaseholdError, OfflineGraceExpiredError, ServerError, ServerUnreachableError } from '../src/index.js';
import { type LeaseEffect, type LeaseInput, LeaseMachine, type LeaseMachineConfig, type LeaseSnapshot } from '../src/lease/lease-machine.js';

const T = Date.parse('2030-01-01T12:00:00Z');
const MINUTE = 60_000;
const unreachable = new ServerUnreachableError('The license server at https://lic.example.com did not answer.');
const refusedWith = (code: 'LICENSE_REVOKED' | 'SESSION_EXPIRED' | 'SESSION_NOT_FOUND' | 'INTERNAL_ERROR') =>
  new ServerError(code, `refused: ${code}`, 400, {});

const config: LeaseMachineConfig = { serverUrl: 'https://lic.example.com', clockToleranceMs: 5 * MINUTE, heartbeats: true, releaseOnExit: true };

/** Online on a token issued a minute ago whose grace ends in 10 minutes, heartbeats every minute. */
const base: LeaseSnapshot = {
  mode: 'online',
  error: null,
  graceUntil: T + 10 * MINUTE,
  issuedAt: T - MINUTE,
  lastSeenAt: T - 1000,
  intervalMs: MINUTE,
};
const offline: Partial<LeaseSnapshot> = { mode: 'offline', error: unreachable };

/** Effects with each error reduced to its code, so rows can be written as plain data. */
type Written = { type: string; [field: string]: unknown };
const written = (effects: LeaseEffect[]): Written[] => effects.map((effect) => ('error' in effect ? { ...effect, error: effect.error.code } : effect));

interface Row {
  name: string;
  state?: Partial<LeaseSnapshot>;
  config?: Partial<LeaseMachineConfig>;
  input: LeaseInput;
  mode: LeaseSnapshot['mode'];
  /** The code of the state's error afterwards (`null`: none). */
  error: string | null;
  effects: Written[];
}

const rows: Row[] = [
  // --- acquiring --------------------------------------------------------------
  {
    name: 'a granted seat goes online, is saved, starts heartbeats and the exit hook, and says renewed',
    state: { mode: 'idle' },
    input: { type: 'acquired' },
    mode: 'online',
    error: null,
    effects: [{ type: 'persist' }, { type: 'hook-exit' }, { type: 'schedule', delayMs: MINUTE }, { type: 'emit', event: 'renewed' }],
  },
  {
    name: 'a granted seat without background heartbeats or exit release',
    state: { mode: 'idle' },
    config: { heartbeats: false, releaseOnExit: false },
    input: { type: 'acquired' },
    mode: 'online',
    error: null,
    effects: [{ type: 'persist' }, { type: 'emit', event: 'renewed' }],
  },
  {
    name: 'a granted seat clears the offline error',
    state: offline,
    input: { type: 'acquired' },
    mode: 'online',
    error: null,
    effects: [{ type: 'persist' }, { type: 'hook-exit' }, { type: 'schedule', delayMs: MINUTE }, { type: 'emit', event: 'renewed' }],
  },
  {
    name: 'a seat taken after an offline start says recovered',
    input: { type: 'seat-retaken' },
    mode: 'online',
    error: null,
    effects: [{ type: 'emit', event: 'recovered' }],
  },
  {
    name: 'a resumed session starts heartbeats at the interval',
    input: { type: 'resumed' },
    mode: 'online',
    error: null,
    effects: [{ type: 'hook-exit' }, { type: 'schedule', delayMs: MINUTE }],
  },
  {
    name: 'an offline start saves in the background, says offline and retries within 15 s',
    state: { mode: 'idle' },
    input: { type: 'offline-start', error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [
      { type: 'persist', background: true },
      { type: 'emit', event: 'offline', error: 'SERVER_UNREACHABLE' },
      { type: 'hook-exit' },
      { type: 'schedule', delayMs: 15_000 },
    ],
  },
  {
    name: 'an offline start retries at a heartbeat interval shorter than 15 s',
    state: { mode: 'idle', intervalMs: 5000 },
    input: { type: 'offline-start', error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [
      { type: 'persist', background: true },
      { type: 'emit', event: 'offline', error: 'SERVER_UNREACHABLE' },
      { type: 'hook-exit' },
      { type: 'schedule', delayMs: 5000 },
    ],
  },
  {
    name: 'a valid borrow found at acquire is used as it is',
    state: { mode: 'idle' },
    input: { type: 'borrow-found' },
    mode: 'borrowed',
    error: null,
    effects: [{ type: 'persist' }],
  },
  {
    name: 'borrowing stops heartbeats and the exit release',
    input: { type: 'borrowed' },
    mode: 'borrowed',
    error: null,
    effects: [{ type: 'cancel' }, { type: 'unhook-exit' }, { type: 'persist' }],
  },
  // --- heartbeats -------------------------------------------------------------
  {
    name: 'an answered heartbeat is saved and says renewed',
    input: { type: 'heartbeat-answered' },
    mode: 'online',
    error: null,
    effects: [{ type: 'persist' }, { type: 'emit', event: 'renewed' }],
  },
  {
    name: 'recovery: an answered heartbeat while offline goes online and says recovered, then renewed',
    state: offline,
    input: { type: 'heartbeat-answered' },
    mode: 'online',
    error: null,
    effects: [{ type: 'persist' }, { type: 'emit', event: 'recovered' }, { type: 'emit', event: 'renewed' }],
  },
  {
    name: 'a background heartbeat that went well schedules the next at the interval',
    input: { type: 'heartbeat-ok' },
    mode: 'online',
    error: null,
    effects: [{ type: 'schedule', delayMs: MINUTE }],
  },
  {
    name: 'an unreachable server takes an online lease offline and retries within 15 s',
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [
      { type: 'emit', event: 'offline', error: 'SERVER_UNREACHABLE' },
      { type: 'schedule', delayMs: 15_000 },
    ],
  },
  {
    name: 'offline, the retry comes at the heartbeat interval when shorter',
    state: { intervalMs: 5000 },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [
      { type: 'emit', event: 'offline', error: 'SERVER_UNREACHABLE' },
      { type: 'schedule', delayMs: 5000 },
    ],
  },
  {
    name: 'still unreachable while offline: no new event, the retry no later than the grace end',
    state: { ...offline, graceUntil: T + 10_000 },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [{ type: 'schedule', delayMs: 10_000 }],
  },
  {
    name: 'offline without a known grace end: the retry comes in 1 ms',
    state: { ...offline, graceUntil: null },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [{ type: 'schedule', delayMs: 1 }],
  },
  {
    name: 'grace runs out: unreachable at the grace end loses the lease',
    state: { ...offline, graceUntil: T },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'lost',
    error: 'OFFLINE_GRACE_EXPIRED',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'OFFLINE_GRACE_EXPIRED' }],
  },
  {
    name: 'an online lease whose grace is already over: lost first, then offline (its status reads lost)',
    state: { graceUntil: T - 1 },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'lost',
    error: 'OFFLINE_GRACE_EXPIRED',
    effects: [
      { type: 'cancel' },
      { type: 'emit', event: 'lost', error: 'OFFLINE_GRACE_EXPIRED' },
      { type: 'emit', event: 'offline', error: 'SERVER_UNREACHABLE' },
    ],
  },
  {
    name: 'unreachable with the clock set back loses the lease',
    state: { ...offline, lastSeenAt: T + 10 * MINUTE },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'lost',
    error: 'CLOCK_ROLLBACK',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'CLOCK_ROLLBACK' }],
  },
  {
    name: 'an unreachable heartbeat that ends after the release does nothing',
    state: { mode: 'released', error: unreachable },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'released',
    error: 'SERVER_UNREACHABLE',
    effects: [],
  },
  {
    name: 'an unreachable heartbeat after the lease was lost does nothing',
    state: { mode: 'lost', error: new LeaseholdError('LICENSE_REVOKED', 'revoked') },
    input: { type: 'heartbeat-unreachable', at: T, error: unreachable },
    mode: 'lost',
    error: 'LICENSE_REVOKED',
    effects: [],
  },
  {
    name: 'a revoked license forgets the session, then loses the lease',
    input: { type: 'heartbeat-refused', error: refusedWith('LICENSE_REVOKED') },
    mode: 'online',
    error: null,
    effects: [{ type: 'forget-session' }, { type: 'lose', error: 'LICENSE_REVOKED' }],
  },
  {
    name: 'a refusal while offline (session expired) forgets the session, then loses the lease',
    state: offline,
    input: { type: 'heartbeat-refused', error: refusedWith('SESSION_EXPIRED') },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [{ type: 'forget-session' }, { type: 'lose', error: 'SESSION_EXPIRED' }],
  },
  {
    name: 'another refusal loses the lease and keeps the session',
    input: { type: 'heartbeat-refused', error: refusedWith('INTERNAL_ERROR') },
    mode: 'online',
    error: null,
    effects: [{ type: 'lose', error: 'INTERNAL_ERROR' }],
  },
  {
    name: 'a failure that is no LeaseholdError loses the lease as a protocol error',
    input: { type: 'heartbeat-refused', error: new TypeError('unexpected') },
    mode: 'online',
    error: null,
    effects: [{ type: 'lose', error: 'PROTOCOL_ERROR' }],
  },
  {
    name: 'a refusal that ends after the release does nothing',
    state: { mode: 'released' },
    input: { type: 'heartbeat-refused', error: refusedWith('SESSION_NOT_FOUND') },
    mode: 'released',
    error: null,
    effects: [],
  },
  // --- the time read ----------------------------------------------------------
  {
    name: 'online, the deadlines are the server’s business',
    state: { graceUntil: T - 1 },
    input: { type: 'deadline-check', at: T },
    mode: 'online',
    error: null,
    effects: [],
  },
  {
    name: 'offline before the grace end: nothing changes',
    state: offline,
    input: { type: 'deadline-check', at: T },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [],
  },
  {
    name: 'grace runs out: offline at the grace end the lease is lost',
    state: offline,
    input: { type: 'deadline-check', at: T + 10 * MINUTE },
    mode: 'lost',
    error: 'OFFLINE_GRACE_EXPIRED',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'OFFLINE_GRACE_EXPIRED' }],
  },
  {
    name: 'a borrow past its end is lost',
    state: { mode: 'borrowed' },
    input: { type: 'deadline-check', at: T + 10 * MINUTE },
    mode: 'lost',
    error: 'OFFLINE_GRACE_EXPIRED',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'OFFLINE_GRACE_EXPIRED' }],
  },
  {
    name: 'offline with the clock set back past the tolerance: lost',
    state: offline,
    input: { type: 'deadline-check', at: T - 6 * MINUTE },
    mode: 'lost',
    error: 'CLOCK_ROLLBACK',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'CLOCK_ROLLBACK' }],
  },
  {
    name: 'offline with the clock set back within the tolerance: nothing changes',
    state: offline,
    input: { type: 'deadline-check', at: T - 4 * MINUTE },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [],
  },
  {
    name: 'the issue time counts as seen: a clock before it, past the tolerance, is set back',
    state: { ...offline, lastSeenAt: 0, issuedAt: T },
    input: { type: 'deadline-check', at: T - 6 * MINUTE },
    mode: 'lost',
    error: 'CLOCK_ROLLBACK',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'CLOCK_ROLLBACK' }],
  },
  {
    name: 'without loaded state the clock is not checked',
    state: { ...offline, lastSeenAt: null, issuedAt: 0 },
    input: { type: 'deadline-check', at: T - 60 * MINUTE },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [],
  },
  {
    name: 'a lost lease stays lost without a second event',
    state: { mode: 'lost', error: new LeaseholdError('LICENSE_REVOKED', 'revoked') },
    input: { type: 'deadline-check', at: T + 60 * MINUTE },
    mode: 'lost',
    error: 'LICENSE_REVOKED',
    effects: [],
  },
  // --- losing and releasing ---------------------------------------------------
  {
    name: 'losing stops heartbeats and says lost',
    input: { type: 'lose', error: refusedWith('LICENSE_REVOKED') },
    mode: 'lost',
    error: 'LICENSE_REVOKED',
    effects: [{ type: 'cancel' }, { type: 'emit', event: 'lost', error: 'LICENSE_REVOKED' }],
  },
  {
    name: 'a lease is lost once',
    state: { mode: 'lost', error: new LeaseholdError('CLOCK_ROLLBACK', 'clock') },
    input: { type: 'lose', error: refusedWith('LICENSE_REVOKED') },
    mode: 'lost',
    error: 'CLOCK_ROLLBACK',
    effects: [],
  },
  {
    name: 'release during offline: heartbeats and the exit hook stop first',
    state: offline,
    input: { type: 'release-requested' },
    mode: 'offline',
    error: 'SERVER_UNREACHABLE',
    effects: [{ type: 'cancel' }, { type: 'unhook-exit' }],
  },
  {
    name: 'release during offline: then released, the reason it was offline kept',
    state: offline,
    input: { type: 'released' },
    mode: 'released',
    error: 'SERVER_UNREACHABLE',
    effects: [],
  },
  {
    name: 'an online release',
    input: { type: 'released' },
    mode: 'released',
    error: null,
    effects: [],
  },
];

describe('the lease machine', () => {
  it.each(rows)('$name', (row) => {
    const machine = new LeaseMachine({ ...config, ...row.config });
    const before: LeaseSnapshot = { ...base, ...row.state };
    const frozen = structuredClone({ ...before, error: before.error?.code ?? null });
    const { state, effects } = machine.step(before, row.input);
    expect({ mode: state.mode, error: state.error?.code ?? null, effects: written(effects) }).toEqual({
      mode: row.mode,
      error: row.error,
      effects: row.effects,
    });
    // The lease's times are the client's: the machine never changes them, nor its input.
    expect({ ...state, mode: before.mode, error: before.error }).toEqual(before);
    expect({ ...before, error: before.error?.code ?? null }).toEqual(frozen);
  });

  it('covers every kind of input', () => {
    const kinds = new Set(rows.map((row) => row.input.type));
    const all: LeaseInput['type'][] = [
      'acquired',
      'seat-retaken',
      'resumed',
      'offline-start',
      'borrow-found',
      'borrowed',
      'heartbeat-answered',
      'heartbeat-ok',
      'heartbeat-unreachable',
      'heartbeat-refused',
      'deadline-check',
      'lose',
      'release-requested',
      'released',
    ];
    expect([...kinds].sort()).toEqual([...all].sort());
  });

  it('says when the grace ended and what to do', () => {
    const machine = new LeaseMachine(config);
    const { state } = machine.step({ ...base, ...offline }, { type: 'deadline-check', at: T + 11 * MINUTE });
    expect(state.error).toBeInstanceOf(OfflineGraceExpiredError);
    expect((state.error as OfflineGraceExpiredError).graceEndedAt.getTime()).toBe(T + 10 * MINUTE);
    expect(state.error?.message).toMatch(/^The license server at https:\/\/lic\.example\.com has not been reachable .* ended at .*Connect to the network/);
  });

  it('says how far the clock went back', () => {
    const machine = new LeaseMachine(config);
    const { state } = machine.step({ ...base, ...offline }, { type: 'deadline-check', at: T - 1000 - 3600_000 });
    expect(state.error?.code).toBe('CLOCK_ROLLBACK');
    expect(state.error).toMatchObject({ behindBySeconds: 3600 });
  });
});
