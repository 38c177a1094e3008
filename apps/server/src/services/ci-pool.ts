import { newId } from '@leasehold/protocol/ids';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { WorkloadClaims } from '../kernel/workload-claims.js';
import { type CiMappingRow, ciRepository } from '../repositories/ci-repository.js';
import type { SeatStore } from '../seats/seat-store.js';

/** How long a reservation holds a place in the pool while the seat store decides. */
const RESERVATION_MS = 60_000;
/** Sessions whose row expired this recently may still be live in the Redis store (it copies heartbeats lazily). */
const LAG_WINDOW_MS = 86_400_000;

export type PoolDecision =
  | { kind: 'reserved'; reservationId: string; used: number; overPool: boolean }
  | { kind: 'full'; used: number; nextFreeAt: Date | null };

/**
 * The CI pool of a mapping rule: at most `maxConcurrent` jobs hold seats through it at
 * once, apart from interactive users. A place is reserved under the rule's row lock
 * before the seat store is asked (so racing jobs on any replica cannot both take the
 * last place), then turned into the session's CI marker, or dropped if no seat came.
 */
export class CiPool {
  constructor(private readonly deps: { db: Db; clock: Clock; seats: SeatStore }) {}

  async reserve(mapping: CiMappingRow, fingerprint: string, claims: WorkloadClaims, ctx: RequestContext): Promise<PoolDecision> {
    const now = this.deps.clock.now();
    const decision = await this.deps.db.transaction(async (tx): Promise<PoolDecision> => {
      await ciRepository.lockMapping(tx, mapping.id);
      await this.#prune(tx, mapping.id, now);
      const holders = await this.#holders(tx, mapping.id, fingerprint, now);
      const used = holders.count;
      const max = mapping.maxConcurrent;
      if (max !== null && used >= max && mapping.mode === 'enforce') {
        await appendAudit(tx, ctx, now, [
          {
            action: 'ci.pool-refused',
            organisationId: mapping.organisationId,
            targetType: 'license',
            targetId: mapping.licenseId,
            data: { mappingId: mapping.id, poolUsed: used, poolMax: max, claims: claims.audited },
          },
        ]);
        return { kind: 'full', used, nextFreeAt: holders.nextFreeAt };
      }
      const reservationId = newId('ciSeat', now.getTime());
      await ciRepository.insertSeat(tx, {
        id: reservationId,
        mappingId: mapping.id,
        licenseId: mapping.licenseId,
        fingerprint,
        sessionId: null,
        reservedUntil: new Date(now.getTime() + RESERVATION_MS),
        claims: claims.audited,
        createdAt: now,
      });
      return { kind: 'reserved', reservationId, used: used + 1, overPool: max !== null && used >= max };
    });
    return decision;
  }

  /** The reservation becomes the session's CI marker, audited with the job's claims. */
  async confirm(
    reservationId: string,
    mapping: CiMappingRow,
    grant: { sessionId: string; used: number; overPool: boolean; claims: WorkloadClaims },
    ctx: RequestContext,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      await ciRepository.confirmSeat(tx, reservationId, grant.sessionId, now);
      const data = { mappingId: mapping.id, mode: mapping.mode, poolUsed: grant.used, poolMax: mapping.maxConcurrent, claims: grant.claims.audited };
      await appendAudit(tx, ctx, now, [
        { action: 'ci.seat-granted', organisationId: mapping.organisationId, targetType: 'session', targetId: grant.sessionId, data },
        ...(grant.overPool
          ? [{ action: 'ci.pool-exceeded', organisationId: mapping.organisationId, targetType: 'session', targetId: grant.sessionId, data }]
          : []),
      ]);
    });
  }

  async cancel(reservationId: string): Promise<void> {
    await ciRepository.cancelReservation(this.deps.db, reservationId);
  }

  /**
   * Drops the rule's markers of sessions that ended, and reservations that lapsed, over a
   * day ago: the audit log keeps the history, the pool needs only what may still be live.
   */
  async #prune(tx: Tx, mappingId: string, now: Date): Promise<void> {
    await ciRepository.pruneSeats(tx, mappingId, new Date(now.getTime() - LAG_WINDOW_MS));
  }

  /** Jobs holding or reserving a place in the rule's pool now, other than this one, and when the first frees. */
  async #holders(tx: Tx, mappingId: string, fingerprint: string, now: Date) {
    const rows = await ciRepository.poolHolders(tx, mappingId, fingerprint, now, new Date(now.getTime() - LAG_WINDOW_MS));
    // A session row past its expiry may still be live in a store that knows better (Redis).
    const stale = rows.filter((r) => r.sessionId && r.expiresAt && r.expiresAt <= now);
    const fresher =
      stale.length && this.deps.seats.latestHeartbeats
        ? await this.deps.seats.latestHeartbeats(stale.map((r) => ({ id: r.sessionId as string, licenseId: r.licenseId })))
        : new Map<string, { expiresAt: Date }>();
    const live = new Map<string, Date>();
    for (const r of rows) {
      const until = r.sessionId ? (fresher.get(r.sessionId)?.expiresAt ?? r.expiresAt) : r.reservedUntil;
      if (!until || until <= now) continue;
      const known = live.get(r.fingerprint);
      if (!known || until > known) live.set(r.fingerprint, until);
    }
    const ends = [...live.values()].sort((a, b) => a.getTime() - b.getTime());
    return { count: live.size, nextFreeAt: ends[0] ?? null };
  }
}
