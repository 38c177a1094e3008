import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { guarded } from './dependency-errors.js';
import { acquire } from './redis-acquire.js';
import { borrow, heartbeat } from './redis-heartbeat.js';
import { compare, type ReconcileReport, reconcile } from './redis-reconciler.js';
import { forceRelease, reapExpired, release } from './redis-release.js';
import { RedisSeatCore, type RedisSeatParts, type RedisSeatStoreOptions } from './redis-seat-core.js';
import type { AcquireOutcome, AcquireSeat, BorrowOutcome, HeartbeatOutcome, HeartbeatTimes, ReleaseOutcome, SeatStore, SessionRef } from './seat-store.js';

export type { RedisSeatParts, RedisSeatStoreOptions } from './redis-seat-core.js';

/**
 * Seats decided in Redis by Lua scripts, recorded in PostgreSQL (the source of
 * truth). Each call: read the license terms from PostgreSQL (fresh, coalesced;
 * heartbeats use a copy in memory that change notifications keep current), let one
 * script decide and change Redis atomically, then record the session row
 * and its audit events in PostgreSQL — undoing the Redis change when that fails.
 * Routine heartbeats are copied to PostgreSQL in batches. The operations live in
 * redis-acquire.ts, redis-heartbeat.ts and redis-release.ts.
 */
export class RedisSeatStore implements SeatStore {
  readonly kind = 'redis';
  readonly #core: RedisSeatCore;

  constructor(
    private readonly o: RedisSeatStoreOptions,
    parts: RedisSeatParts,
  ) {
    this.#core = new RedisSeatCore(o, parts);
  }

  /** Terms for heartbeats; change notifications invalidate them (see compose-redis.ts). */
  get termsCache() {
    return this.#core.termsCache;
  }

  acquire(req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
    return guarded(acquire(this.#core, req, ctx));
  }

  heartbeat(ref: SessionRef, ctx: RequestContext): Promise<HeartbeatOutcome> {
    return guarded(heartbeat(this.#core, ref, ctx));
  }

  borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext): Promise<BorrowOutcome> {
    return guarded(borrow(this.#core, ref, durationSeconds, ctx));
  }

  release(ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
    return guarded(release(this.#core, ref, ctx));
  }

  forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome> {
    return guarded(forceRelease(this.#core, sessionId, scope, ctx));
  }

  reapExpired(ctx: RequestContext): Promise<number> {
    return guarded(reapExpired(this.#core, ctx));
  }

  async seatsInUse(licenseIds: string[]): Promise<Map<string, number>> {
    const counts = await Promise.all(licenseIds.map(async (id) => [id, Number((await this.#core.decide('lhCount', id, []))[2])] as const));
    return new Map(counts);
  }

  async latestHeartbeats(sessions: Array<{ id: string; licenseId: string }>): Promise<Map<string, HeartbeatTimes>> {
    const replies = await this.#core.o.connection.pipelined(
      'heartbeattimes',
      sessions,
      (s) => s.licenseId,
      (pipeline, s) => pipeline.lhHeartbeatTimes(this.#core.keys.sessions(s.licenseId), s.id),
    );
    const times = new Map<string, HeartbeatTimes>();
    for (const [i, [error, fields]] of replies.entries()) {
      const [lhb, exp] = (fields ?? []) as (number | null)[];
      const session = sessions[i];
      if (!error && session && lhb && exp) times.set(session.id, { lastHeartbeatAt: new Date(Number(lhb)), expiresAt: new Date(Number(exp)) });
    }
    return times;
  }

  /** See redis-reconciler.ts. */
  reconcile(licenseId?: string): Promise<ReconcileReport> {
    return reconcile(this.#core, licenseId);
  }

  /** What the reconciler would repair on this license now (null: Redis has no state for it). */
  disagreements(licenseId: string): Promise<{ orphans: number; missing: number } | null> {
    return compare(this.#core, licenseId);
  }

  async close(): Promise<void> {
    await this.#core.writer.close().catch(() => {});
    if (this.o.ownsConnection) await this.o.connection.close();
  }

  /** Flushes heartbeats waiting to be copied to PostgreSQL (tests, shutdown). */
  flushHeartbeats(): Promise<void> {
    return this.#core.writer.flush();
  }
}
