import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { jsonList } from '../db/json-list.js';
import { licenses, plans, seatWaiters } from '../db/schema.js';

export type SeatWaiterRow = typeof seatWaiters.$inferSelect;
type NewPlace = Pick<
  typeof seatWaiters.$inferInsert,
  'id' | 'licenseId' | 'fingerprint' | 'hostname' | 'userId' | 'enqueuedAt' | 'lastSeenAt' | 'lapsesAt' | 'priority'
>;

/** The places in the seat queues of licenses, and the plan settings that govern them. */
export const seatWaiterRepository = {
  async queueSettings(db: Executor, licenseId: string) {
    const [row] = await db
      .select({
        maxWaitSeconds: plans.maxQueueWaitSeconds,
        graceSeconds: plans.heartbeatIntervalSeconds,
        lingerSeconds: plans.lingerSeconds,
        priorities: plans.queuePriorities,
        organisationId: licenses.organisationId,
      })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(eq(licenses.id, licenseId));
    return row ?? null;
  },

  /**
   * Makes the joins of one license take turns until their transactions commit: a place's
   * position is drawn from a sequence at insert but only counts once committed.
   */
  async takeJoinTurn(tx: Executor, licenseId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${licenseId}, 0))`);
  },

  async insert(tx: Executor, place: NewPlace): Promise<void> {
    await tx.insert(seatWaiters).values(place);
  },

  /** The live linger of this license held back for this machine (or person), if any. */
  async liveLinger(db: Executor, licenseId: string, who: { fingerprint: string; userId: string | null }, lingerPriority: number, now: Date) {
    const sameCaller = who.userId
      ? or(eq(seatWaiters.fingerprint, who.fingerprint), eq(seatWaiters.userId, who.userId))
      : eq(seatWaiters.fingerprint, who.fingerprint);
    const [row] = await db
      .select({ id: seatWaiters.id })
      .from(seatWaiters)
      .where(
        and(
          eq(seatWaiters.licenseId, licenseId),
          isNull(seatWaiters.endedAt),
          eq(seatWaiters.priority, lingerPriority),
          gt(seatWaiters.lapsesAt, now),
          sameCaller,
        ),
      )
      .limit(1);
    return row?.id ?? null;
  },

  /** Keeps a live place of this license and machine until at least `lapsesAt`: when it joined, or null. */
  async touch(db: Executor, place: { ticket: string; licenseId: string; fingerprint: string }, now: Date, lapsesAt: Date): Promise<Date | null> {
    const kept = await db
      .update(seatWaiters)
      // A linger keeps its own end; a waiter's place lasts one more grace.
      .set({ lastSeenAt: now, lapsesAt: sql`greatest(${seatWaiters.lapsesAt}, ${lapsesAt})` })
      .where(
        and(
          eq(seatWaiters.id, place.ticket),
          eq(seatWaiters.licenseId, place.licenseId),
          eq(seatWaiters.fingerprint, place.fingerprint),
          isNull(seatWaiters.endedAt),
          gt(seatWaiters.lapsesAt, now),
        ),
      )
      .returning({ enqueuedAt: seatWaiters.enqueuedAt });
    return kept[0]?.enqueuedAt ?? null;
  },

  /** In one statement: the live places of a license, those ahead of `ticket`, and those lapsed but not yet ended. */
  async counts(db: Executor, licenseId: string, ticket: string | null, now: Date) {
    const at = now.toISOString();
    const result = (await db.execute(sql`
        with mine as (select priority, position from seat_waiters where id = ${ticket ?? ''})
        select count(*) filter (where w.lapses_at > ${at}::timestamptz)::int as waiting,
               count(*) filter (where w.lapses_at > ${at}::timestamptz and (w.priority, -w.position) > (select priority, -position from mine))::int as ahead,
               count(*) filter (where w.lapses_at <= ${at}::timestamptz)::int as lapsed
        from seat_waiters w where w.license_id = ${licenseId} and w.ended_at is null`)) as unknown as {
      rows: { waiting: number; ahead: number; lapsed: number }[];
    };
    const [row] = result.rows;
    return { waiting: row?.waiting ?? 0, ahead: row?.ahead ?? 0, lapsed: row?.lapsed ?? 0 };
  },

  /**
   * For several licenses in one statement: their live places and those lapsed but not yet
   * ended (what `counts` says for a caller without a ticket). Licenses with none are absent.
   */
  async openCounts(db: Executor, licenseIds: string[], now: Date) {
    const at = now.toISOString();
    const result = (await db.execute(sql`
        select w.license_id,
               count(*) filter (where w.lapses_at > ${at}::timestamptz)::int as waiting,
               count(*) filter (where w.lapses_at <= ${at}::timestamptz)::int as lapsed
        from seat_waiters w
        where w.license_id in ${jsonList(licenseIds)} and w.ended_at is null
        group by w.license_id`)) as unknown as { rows: { license_id: string; waiting: number; lapsed: number }[] };
    return new Map(result.rows.map((r) => [r.license_id, { waiting: r.waiting, lapsed: r.lapsed }]));
  },

  /** Ends a place that is still live: its license and when it joined, or null when it had ended already. */
  async end(tx: Executor, ticket: string, ending: { endedAt: Date; outcome: NonNullable<SeatWaiterRow['outcome']>; sessionId: string | null }) {
    const [row] = await tx
      .update(seatWaiters)
      .set(ending)
      .where(and(eq(seatWaiters.id, ticket), isNull(seatWaiters.endedAt)))
      .returning({ licenseId: seatWaiters.licenseId, enqueuedAt: seatWaiters.enqueuedAt });
    return row ?? null;
  },

  /** The live places of a license in the order seats go to them. */
  live(db: Executor, licenseId: string, now: Date, limit: number): Promise<SeatWaiterRow[]> {
    return db
      .select()
      .from(seatWaiters)
      .where(and(eq(seatWaiters.licenseId, licenseId), isNull(seatWaiters.endedAt), gt(seatWaiters.lapsesAt, now)))
      .orderBy(desc(seatWaiters.priority), asc(seatWaiters.position))
      .limit(limit);
  },

  /** Places not yet ended, per license. */
  async lengths(db: Executor): Promise<Map<string, number>> {
    const rows = await db
      .select({ licenseId: seatWaiters.licenseId, waiting: sql<number>`count(*)::int` })
      .from(seatWaiters)
      .where(isNull(seatWaiters.endedAt))
      .groupBy(seatWaiters.licenseId);
    return new Map(rows.map((r) => [r.licenseId, Number(r.waiting)]));
  },

  async lapsedTickets(db: Executor, licenseId: string, now: Date): Promise<string[]> {
    const rows = await db
      .select({ id: seatWaiters.id })
      .from(seatWaiters)
      .where(and(eq(seatWaiters.licenseId, licenseId), isNull(seatWaiters.endedAt), lte(seatWaiters.lapsesAt, now)));
    return rows.map((r) => r.id);
  },
};
