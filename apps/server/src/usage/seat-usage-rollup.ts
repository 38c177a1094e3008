import type { Db, Tx } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
import { BucketAccumulator, type UsageState } from './hour-buckets.js';
import { SeatHolders } from './seat-holders.js';

const STARTS = new Set(['seat.granted', 'seat.reacquired']);
const ENDS = new Set(['seat.released', 'seat.force-released', 'seat.expired', 'seat.ended']);
/** Denials for want of a seat; a suspended or expired license is refused for another reason. */
const NO_SEAT = new Set(['NO_SEAT_AVAILABLE', 'SESSION_EXPIRED']);
/**
 * Events read per run. Each run's work is synchronous JavaScript between its queries:
 * 5,000 events (what 100,000 acquires leave behind in a reaper interval, a fifth of it)
 * held the event loop for up to 200 ms, heartbeats waiting behind it.
 */
const BATCH = 1_000;

/**
 * Keeps the hourly seat-usage rollup: reads the audit chain's seat events after the
 * last one it read, in order, and adds them to the hours they fall in. It counts
 * seats as the seat stores do, by seat-basis key: a second session of a machine (or
 * a user) that holds a seat takes none, and the seat is free when its last session ends. Each run
 * reads at most `batch` events; runs are serialised on the cursor row, so replicas
 * may all run it. When caught up, live sessions are carried forward to now so the
 * current hour shows them.
 */
export class SeatUsageRollup {
  constructor(private readonly deps: { db: Db; clock: Clock; batch?: number }) {}

  /** Rolls up until caught up; answers how many events were read. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const read = await this.runOnce();
      total += read;
      if (read < (this.deps.batch ?? BATCH)) return total;
    }
  }

  async runOnce(): Promise<number> {
    const batch = this.deps.batch ?? BATCH;
    return this.deps.db.transaction(async (tx) => {
      const lastSeq = (await seatUsageRepository.lockCursor(tx)) ?? 0;
      const events = await seatUsageRepository.seatEventsAfter(tx, lastSeq, batch);
      const caughtUp = events.length < batch;
      const licenseIds = [...new Set(events.map((e) => e.data.licenseId).filter((id): id is string => typeof id === 'string'))];
      const stored = await seatUsageRepository.statesOf(tx, licenseIds, caughtUp);
      const states = new Map<string, UsageState>(stored.map((s) => [s.licenseId, { ...s, since: s.since.getTime() }]));
      // A session's key: the one its row holds, or (no row) the session itself, as the session basis counts.
      const keyOf = (e: (typeof events)[number]) => e.basisKey ?? e.targetId ?? '';
      const holders = await loadHolders(
        tx,
        licenseIds,
        events.map((e) => keyOf(e)),
      );
      const acc = new BucketAccumulator();
      for (const e of events) {
        const licenseId = e.data.licenseId;
        if (typeof licenseId !== 'string' || !e.organisationId) continue;
        let state = states.get(licenseId);
        if (!state) {
          state = { licenseId, organisationId: e.organisationId, concurrent: 0, since: e.at.getTime() };
          states.set(licenseId, state);
        }
        const at = e.at.getTime();
        const sessionId = e.targetId ?? '';
        if (STARTS.has(e.action)) {
          if (holders.start(licenseId, keyOf(e), sessionId)) acc.start(state, at);
        } else if (ENDS.has(e.action)) {
          // The reaper notices an expiry late; the seat was free from the lease's end.
          const expiredAt = typeof e.data.expiredAt === 'string' ? Date.parse(e.data.expiredAt) : Number.NaN;
          if (holders.end(licenseId, keyOf(e), sessionId))
            acc.end(state, e.action === 'seat.expired' && Number.isFinite(expiredAt) ? Math.min(at, expiredAt) : at);
        } else if (e.action === 'seat.denied' && NO_SEAT.has(String(e.data.code))) acc.deny(state, at);
      }
      await saveHolders(tx, holders);
      if (caughtUp) {
        const now = this.deps.clock.now().getTime();
        for (const state of states.values()) acc.advance(state, now);
      }
      const deltas = acc.deltas();
      await seatUsageRepository.addToHours(
        tx,
        deltas.map((d) => ({ ...d, hour: new Date(d.hour) })),
      );
      await seatUsageRepository.saveStates(
        tx,
        [...states.values()].map((s) => ({ ...s, since: new Date(s.since) })),
      );
      const last = events.at(-1)?.seq;
      if (last !== undefined) await seatUsageRepository.moveCursor(tx, last);
      return events.length;
    });
  }
}

/** The live sessions of the keys a batch touches (a superset: every pair of its licenses and keys). */
async function loadHolders(tx: Tx, licenseIds: string[], keys: string[]): Promise<SeatHolders> {
  const holders = new SeatHolders();
  if (licenseIds.length === 0) return holders;
  const distinctKeys = [...new Set(keys)];
  for (const r of await seatUsageRepository.holdersOf(tx, licenseIds, distinctKeys)) holders.load(r.licenseId, r.basisKey, r.sessionId);
  return holders;
}

async function saveHolders(tx: Tx, holders: SeatHolders): Promise<void> {
  const changes = holders.changes();
  const ended = changes.filter((c) => !c.live).map((c) => c.sessionId);
  const live = changes.filter((c) => c.live).map(({ sessionId, licenseId, basisKey }) => ({ sessionId, licenseId, basisKey }));
  await seatUsageRepository.removeHolders(tx, ended);
  await seatUsageRepository.addHolders(tx, live);
}
