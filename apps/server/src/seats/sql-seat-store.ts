import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type LeaseFacts, type LeaseTokens, leaseFacts } from '../tokens/lease-tokens.js';
import { guarded, isInfrastructureError } from './dependency-errors.js';
import { GroupCommit, JobFailed } from './group-commit.js';
import { borrowDecision, capacity, leaseEnd, seatDecision, seatPayload, tokenDue } from './seat-rules.js';
import type { AcquireOutcome, AcquireSeat, BorrowOutcome, HeartbeatOutcome, LiveSession, ReleaseOutcome, SeatStore, SessionRef } from './seat-store.js';
import { licenseRefusal, lockLicense } from './seat-terms.js';
import { type AcquireJob, decideAcquires, signGrants } from './sql-acquire.js';
import { type RenewedUnsigned, renewHeartbeats, signRenewals } from './sql-heartbeat.js';
import { asFacts, countLive, findSession, liveHolders, type SessionRow, sessionEvent, toLive } from './sql-seat-helpers.js';
import { StoreClock } from './store-clock.js';

export interface SqlSeatStoreDeps {
  db: Db;
  tokens: LeaseTokens;
  /** For tests only: a clock to decide with instead of PostgreSQL's (see StoreClock). */
  testClock?: Clock;
  /**
   * Sign new grants' lease tokens inside the acquire's transaction and store them with the
   * new sessions, instead of after the commit in a second UPDATE. Only where holding the
   * transaction while signing delays nobody: the embedded database (one connection, so no
   * other statement runs during any open transaction anyway) with the local key file signer
   * (signing is CPU on this thread, never a round trip). The answers are the same tokens.
   */
  signInTransaction?: boolean;
}

const REAP_BATCH = 500;
/** Decisions in one transaction at most: enough to share the commit, few enough to keep it short. */
const MAX_BATCH = 64;

/**
 * Seats counted in SQL: each decision that may take a seat runs in a transaction
 * holding a row lock on its license, so concurrent acquires of one license — from
 * any number of server processes — are decided one after another. Acquires that
 * arrive together share one transaction (see GroupCommit).
 */
export class SqlSeatStore implements SeatStore {
  readonly kind = 'sql';
  readonly #acquires: GroupCommit<AcquireJob, AcquireOutcome>;
  readonly #heartbeats: GroupCommit<{ ref: SessionRef; ctx: RequestContext }, HeartbeatOutcome>;
  readonly #clock: StoreClock;

  constructor(private readonly deps: SqlSeatStoreDeps) {
    const clock = new StoreClock(deps.testClock);
    this.#clock = clock;
    this.#acquires = new GroupCommit(async (jobs) => {
      const signNow = deps.signInTransaction ? deps.tokens : null;
      const decided = await deps.db.transaction((tx) => decideAcquires(tx, jobs, () => clock.now(tx), signNow));
      return signGrants(deps.db, decided, deps.tokens);
    }, MAX_BATCH);
    this.#heartbeats = new GroupCommit((jobs) => this.#heartbeatBatch(jobs), MAX_BATCH);
  }

  async acquire(req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
    return guarded(this.#acquires.submit({ req, ctx }));
  }

  async heartbeat(ref: SessionRef, ctx: RequestContext): Promise<HeartbeatOutcome> {
    return guarded(this.#heartbeats.submit({ ref, ctx }));
  }

  /** Renews plain heartbeats together; the others are decided one by one on the full path. */
  async #heartbeatBatch(jobs: { ref: SessionRef; ctx: RequestContext }[]): Promise<(HeartbeatOutcome | JobFailed)[]> {
    const { db, tokens } = this.deps;
    const clock = this.#clock;
    const decided = await db.transaction((tx) =>
      renewHeartbeats(
        tx,
        jobs.map((j) => j.ref),
        () => clock.now(tx),
      ),
    );
    const renewed = await signRenewals(db, decided, tokens);
    // The renewals above are committed: a failure of one decided alone fails only that one,
    // so a retry never replays them (the batch stays atomic).
    const outcomes: (HeartbeatOutcome | JobFailed)[] = [];
    for (const [i, job] of jobs.entries()) {
      const plain = renewed[i];
      if (plain) {
        outcomes.push(plain);
        continue;
      }
      try {
        outcomes.push(await this.#heartbeatAlone(job.ref, job.ctx));
      } catch (error) {
        if (isInfrastructureError(error)) throw error;
        outcomes.push(new JobFailed(error));
      }
    }
    return outcomes;
  }

  async #heartbeatAlone(ref: SessionRef, ctx: RequestContext): Promise<HeartbeatOutcome> {
    let decided = await this.#heartbeatOnce(ref, ctx, 'share');
    // The lease ran out between the first look and the lock: decide again with the license locked for update.
    if (decided === 'retry-with-update-lock') decided = await this.#heartbeatOnce(ref, ctx, 'update');
    if (decided === 'retry-with-update-lock') throw new Error('a heartbeat asked twice for the update lock');
    if (decided.kind !== 'unsigned') return decided;
    const [signed] = await signRenewals(this.deps.db, [decided], this.deps.tokens);
    if (signed instanceof JobFailed) throw signed.error;
    return signed as HeartbeatOutcome;
  }

  async #heartbeatOnce(
    ref: SessionRef,
    ctx: RequestContext,
    preferred: 'share' | 'update',
  ): Promise<HeartbeatOutcome | RenewedUnsigned | 'retry-with-update-lock'> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' } as const;
      // A first look, before any lock; decided again below on the clock read after it.
      const looksExpired = row.endedAt !== null || row.expiresAt <= (await this.#clock.now(tx));
      const mode = looksExpired ? 'update' : preferred;
      const locked = await lockLicense(tx, row.licenseId, mode);
      if (!locked) return { kind: 'not-found' } as const;
      const now = await this.#clock.now(tx);
      const { terms } = locked;
      const refusal = licenseRefusal(locked, now);
      if (refusal) {
        if (row.endedAt === null) {
          await tx.update(sessions).set({ endedAt: now, endReason: refusal.toLowerCase() }).where(eq(sessions.id, row.id));
          await appendAudit(tx, ctx, now, [sessionEvent('seat.ended', row, seatPayload.refusedEnd(refusal))]);
        }
        return { kind: 'license-refused', code: refusal } as const;
      }

      const lapsed = row.endedAt !== null || row.expiresAt <= now;
      if (lapsed && mode === 'share') return 'retry-with-update-lock' as const;
      const events: AuditEntry[] = [];
      if (lapsed) {
        if (row.endedAt === null) events.push(sessionEvent('seat.expired', row, seatPayload.expired(row.expiresAt.getTime())));
        const { used, mine } = await countLive(tx, terms.licenseId, row.basisKey, now, row.id);
        if (seatDecision({ used, mine, capacity: capacity(terms) }) === 'refused') {
          if (row.endedAt === null) await tx.update(sessions).set({ endedAt: row.expiresAt, endReason: 'expired' }).where(eq(sessions.id, row.id));
          const holders = await liveHolders(tx, terms.licenseId, now);
          events.push(sessionEvent('seat.denied', row, seatPayload.sessionExpired(terms, used)));
          await appendAudit(tx, ctx, now, events);
          return { kind: 'expired', seatsUsed: used, nextFreeAt: holders[0]?.expiresAt ?? null } as const;
        }
        events.push(sessionEvent('seat.reacquired', row, seatPayload.reacquired(mine)));
      }

      const expiresAt = new Date(leaseEnd(now.getTime(), terms.leaseTtlSeconds, row.borrowedUntil?.getTime() ?? null));
      const token = row.leaseToken;
      // The token columns stay as they are (due): a new token is signed after the commit.
      await tx.update(sessions).set({ lastHeartbeatAt: now, expiresAt, endedAt: null, endReason: null }).where(eq(sessions.id, row.id));
      await appendAudit(tx, ctx, now, events);
      const outcome = {
        kind: 'renewed',
        session: toLive(row, terms, { lastHeartbeatAt: now, expiresAt, leaseToken: token ?? '' }),
        reacquired: lapsed,
      } as const;
      if (!token || lapsed || tokenDue(token, row.leaseTokenRenewAt?.getTime() ?? null, now.getTime())) {
        return { kind: 'unsigned', outcome, facts: leaseFacts(terms, { ...asFacts(row), expiresAt }), at: now } as RenewedUnsigned;
      }
      return outcome;
    });
  }

  async borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext): Promise<BorrowOutcome> {
    return guarded(this.#borrow(ref, durationSeconds, ctx));
  }

  async #borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext): Promise<BorrowOutcome> {
    const decided = await this.#decideBorrow(ref, durationSeconds, ctx);
    if (decided.kind !== 'unsigned') return decided;
    // Signed after the commit, as every token of this store.
    const [signed] = await signRenewals(
      this.deps.db,
      [{ ...decided, outcome: { kind: 'renewed', session: decided.session, reacquired: false } }],
      this.deps.tokens,
    );
    if (signed instanceof JobFailed) throw signed.error;
    return { kind: 'borrowed', session: (signed as Extract<HeartbeatOutcome, { kind: 'renewed' }>).session };
  }

  async #decideBorrow(
    ref: SessionRef,
    durationSeconds: number,
    ctx: RequestContext,
  ): Promise<Exclude<BorrowOutcome, { kind: 'borrowed' }> | { kind: 'unsigned'; session: LiveSession; facts: LeaseFacts; at: Date }> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row || row.endedAt !== null) return { kind: 'not-found' } as const;
      const locked = await lockLicense(tx, row.licenseId, 'update');
      if (!locked) return { kind: 'not-found' } as const;
      const now = await this.#clock.now(tx);
      const refusal = licenseRefusal(locked, now);
      if (refusal) return { kind: 'license-refused', code: refusal } as const;
      if (row.expiresAt <= now) return { kind: 'expired', seatsUsed: 0, nextFreeAt: null } as const;
      const decided = borrowDecision(
        now.getTime(),
        durationSeconds,
        locked.maxBorrowSeconds,
        locked.terms.leaseTtlSeconds,
        locked.expiresAt?.getTime() ?? null,
      );
      if (decided.kind === 'refused') return { kind: 'borrow-refused', maxBorrowSeconds: locked.maxBorrowSeconds } as const;
      const expiresAt = new Date(decided.expiresAtMs);
      const until = new Date(decided.borrowedUntilMs);
      await tx.update(sessions).set({ lastHeartbeatAt: now, expiresAt, borrowedUntil: until }).where(eq(sessions.id, row.id));
      await appendAudit(tx, ctx, now, [sessionEvent('seat.borrowed', row, seatPayload.borrowed(until.getTime()))]);
      const session = toLive(row, locked.terms, { lastHeartbeatAt: now, expiresAt, leaseToken: '', borrowedUntil: until });
      return { kind: 'unsigned', session, facts: leaseFacts(locked.terms, { ...asFacts(row), expiresAt, borrowedUntil: until }), at: now } as const;
    });
  }

  async release(ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
    return guarded(this.#release(ref, ctx));
  }

  async #release(ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row) return { kind: 'not-found' } as const;
      // Releasing twice is not an error: the caller's aim, a freed seat, holds.
      if (row.endedAt !== null) return { kind: 'released', sessionId: row.id, licenseId: row.licenseId } as const;
      return this.#end(tx, row, 'released', ctx);
    });
  }

  async forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const [row] = await tx.select().from(sessions).where(eq(sessions.id, sessionId)).for('update');
      const now = await this.#clock.now(tx);
      if (!row || row.endedAt !== null || row.expiresAt <= now) return { kind: 'not-found' } as const;
      if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' } as const;
      return this.#end(tx, row, 'force-released', ctx);
    });
  }

  async #end(tx: Tx, row: SessionRow, reason: 'released' | 'force-released', ctx: RequestContext): Promise<ReleaseOutcome> {
    const now = await this.#clock.now(tx);
    await tx.update(sessions).set({ endedAt: now, endReason: reason }).where(eq(sessions.id, row.id));
    await appendAudit(tx, ctx, now, [sessionEvent(`seat.${reason}`, row, seatPayload.ended(row.startedAt.getTime(), now.getTime()))]);
    return { kind: 'released', sessionId: row.id, licenseId: row.licenseId };
  }

  async reapExpired(ctx: RequestContext): Promise<number> {
    let total = 0;
    for (;;) {
      const reaped = await this.deps.db.transaction(async (tx) => {
        const now = await this.#clock.now(tx);
        // SKIP LOCKED: replicas reaping at once split the work instead of waiting on each other.
        const rows = await tx
          .select()
          .from(sessions)
          .where(and(isNull(sessions.endedAt), lte(sessions.expiresAt, now)))
          .orderBy(sessions.expiresAt)
          .limit(REAP_BATCH)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return 0;
        await tx
          .update(sessions)
          .set({ endedAt: sql`${sessions.expiresAt}`, endReason: 'expired' })
          .where(
            inArray(
              sessions.id,
              rows.map((r) => r.id),
            ),
          );
        await appendAudit(
          tx,
          ctx,
          now,
          rows.map((r) => sessionEvent('seat.expired', r, seatPayload.expired(r.expiresAt.getTime()))),
        );
        return rows.length;
      });
      total += reaped;
      if (reaped < REAP_BATCH) return total;
    }
  }

  async seatsInUse(licenseIds: string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>(licenseIds.map((id) => [id, 0]));
    if (licenseIds.length === 0) return result;
    const rows = await this.deps.db
      .select({ licenseId: sessions.licenseId, used: sql<number>`count(distinct ${sessions.basisKey})::int` })
      .from(sessions)
      .where(and(inArray(sessions.licenseId, licenseIds), isNull(sessions.endedAt), gt(sessions.expiresAt, await this.#clock.now(this.deps.db))))
      .groupBy(sessions.licenseId);
    for (const row of rows) result.set(row.licenseId, Number(row.used));
    return result;
  }

  async close(): Promise<void> {}
}
