import { and, asc, eq, gt, gte, like, lt, type SQL, sql } from 'drizzle-orm';
import { insertFromJson } from '../db/bulk-insert.js';
import type { Executor } from '../db/database.js';
import { jsonList } from '../db/json-list.js';
import {
  auditEvents,
  licenseSeatHistory,
  licenses,
  plans,
  seatUsageCursor,
  seatUsageHolders,
  seatUsageHourly,
  seatUsageState,
  sessions,
} from '../db/schema.js';

export type SeatUsageStateRow = typeof seatUsageState.$inferSelect;
export type SeatUsageHourRow = typeof seatUsageHourly.$inferSelect;
export type SeatUsageHolderRow = typeof seatUsageHolders.$inferSelect;

/**
 * Records, from `at` on, the seats sold in force for the licenses `where` selects
 * (over `licenses l`), as they stand after a change made in the same transaction.
 * A license whose seats did not change gets no new row.
 */
async function recordSeatsInForce(tx: Executor, at: Date, where: SQL): Promise<void> {
  await tx.execute(sql`
    insert into license_seat_history (license_id, since, seats)
    select l.id, ${at.toISOString()}::timestamptz, coalesce(l.seats_override, p.seats)
    from licenses l join plans p on p.id = l.plan_id
    where (${where})
      and coalesce(l.seats_override, p.seats) is distinct from
        (select h.seats from license_seat_history h where h.license_id = l.id order by h.since desc limit 1)
    on conflict (license_id, since) do update set seats = excluded.seats`);
}

/** Per license, the seat-seconds sold over [from, to): each seat count in force times how long it was. */
function soldSeatSeconds(db: Executor, from: Date, to: Date) {
  const window = sql`over (partition by ${licenseSeatHistory.licenseId} order by ${licenseSeatHistory.since})`;
  const periods = db
    .select({
      licenseId: licenseSeatHistory.licenseId,
      seats: licenseSeatHistory.seats,
      // The first record holds for all time before it too.
      start: sql<Date>`case when lag(${licenseSeatHistory.since}) ${window} is null then '-infinity'::timestamptz else ${licenseSeatHistory.since} end`.as(
        'start',
      ),
      until: sql<Date>`coalesce(lead(${licenseSeatHistory.since}) ${window}, 'infinity'::timestamptz)`.as('until'),
    })
    .from(licenseSeatHistory)
    .as('periods');
  const a = sql`${from.toISOString()}::timestamptz`;
  const b = sql`${to.toISOString()}::timestamptz`;
  return db
    .select({
      licenseId: periods.licenseId,
      seatSeconds: sql<number>`sum(${periods.seats} * extract(epoch from (least(${periods.until}, ${b}) - greatest(${periods.start}, ${a}))))::float8`.as(
        'sold_seat_seconds',
      ),
    })
    .from(periods)
    .where(and(lt(periods.start, b), gt(periods.until, a)))
    .groupBy(periods.licenseId)
    .as('sold');
}

/**
 * The hourly seat-usage rollup: its cursor in the audit chain, live holders, states and hours.
 * A batch's rows and keys go as one JSON parameter each (insertFromJson, jsonList): built by
 * drizzle's builders, a parameter per value, one batch of 1,000 events held the event loop
 * ~10 ms, and heartbeats waited behind it.
 */
export const seatUsageRepository = {
  /** The rollup's cursor, locked until the transaction ends: runs take turns. Null before the first run. */
  async lockCursor(db: Executor): Promise<number | null> {
    const [cursor] = await db.select().from(seatUsageCursor).where(eq(seatUsageCursor.id, 1)).for('update');
    return cursor?.lastSeq ?? null;
  },

  async moveCursor(db: Executor, lastSeq: number): Promise<void> {
    await db.insert(seatUsageCursor).values({ id: 1, lastSeq }).onConflictDoUpdate({ target: seatUsageCursor.id, set: { lastSeq } });
  },

  /** Seat events after a sequence, oldest first, with the seat-basis key of their session (null without a row). */
  async seatEventsAfter(db: Executor, afterSeq: number, limit: number) {
    return db
      .select({
        seq: auditEvents.seq,
        at: auditEvents.at,
        action: auditEvents.action,
        organisationId: auditEvents.organisationId,
        targetId: auditEvents.targetId,
        data: auditEvents.data,
        basisKey: sessions.basisKey,
      })
      .from(auditEvents)
      .leftJoin(sessions, eq(sessions.id, auditEvents.targetId))
      .where(and(gt(auditEvents.seq, afterSeq), like(auditEvents.action, 'seat.%')))
      .orderBy(asc(auditEvents.seq))
      .limit(limit);
  },

  /** The stored states of these licenses, and with `andEveryBusy` of every license holding seats. */
  async statesOf(db: Executor, licenseIds: string[], andEveryBusy: boolean): Promise<SeatUsageStateRow[]> {
    const named = sql`${seatUsageState.licenseId} in ${jsonList(licenseIds)}`;
    return db
      .select()
      .from(seatUsageState)
      .where(andEveryBusy ? sql`${seatUsageState.concurrent} > 0 or ${named}` : named);
  },

  async saveStates(db: Executor, rows: SeatUsageStateRow[]): Promise<void> {
    const insert = insertFromJson(seatUsageState, rows);
    if (insert) await db.execute(sql`${insert} on conflict (license_id) do update set concurrent = excluded.concurrent, since = excluded.since`);
  },

  /** The live holders of every pair of these licenses and keys. */
  async holdersOf(db: Executor, licenseIds: string[], keys: string[]): Promise<SeatUsageHolderRow[]> {
    if (licenseIds.length === 0 || keys.length === 0) return [];
    return db
      .select()
      .from(seatUsageHolders)
      .where(and(sql`${seatUsageHolders.licenseId} in ${jsonList(licenseIds)}`, sql`${seatUsageHolders.basisKey} in ${jsonList(keys)}`));
  },

  async removeHolders(db: Executor, sessionIds: string[]): Promise<void> {
    if (sessionIds.length > 0) await db.delete(seatUsageHolders).where(sql`${seatUsageHolders.sessionId} in ${jsonList(sessionIds)}`);
  },

  async addHolders(db: Executor, rows: SeatUsageHolderRow[]): Promise<void> {
    const insert = insertFromJson(seatUsageHolders, rows);
    if (insert) await db.execute(sql`${insert} on conflict do nothing`);
  },

  /** Adds to the hours: the peak is the greater, seat-seconds and denials add up. */
  async addToHours(db: Executor, rows: SeatUsageHourRow[]): Promise<void> {
    const insert = insertFromJson(seatUsageHourly, rows);
    if (!insert) return;
    await db.execute(sql`${insert} on conflict (license_id, hour) do update set
      peak = greatest(${seatUsageHourly.peak}, excluded.peak),
      seat_seconds = ${seatUsageHourly.seatSeconds} + excluded.seat_seconds,
      denials = ${seatUsageHourly.denials} + excluded.denials`);
  },

  /** After a change to a license in the same transaction: its seats sold in force from `at` on. */
  async recordSeatsInForceOfLicense(db: Executor, at: Date, licenseId: string): Promise<void> {
    await recordSeatsInForce(db, at, sql`l.id = ${licenseId}`);
  },

  /** After a change to a plan in the same transaction: the seats sold in force of its licenses from `at` on. */
  async recordSeatsInForceOfPlan(db: Executor, at: Date, planId: string): Promise<void> {
    await recordSeatsInForce(db, at, sql`l.plan_id = ${planId}`);
  },

  /** One license's hours in [from, to). */
  async hoursOf(db: Executor, licenseId: string, from: Date, to: Date): Promise<SeatUsageHourRow[]> {
    return db
      .select()
      .from(seatUsageHourly)
      .where(and(eq(seatUsageHourly.licenseId, licenseId), gte(seatUsageHourly.hour, from), lt(seatUsageHourly.hour, to)));
  },

  /** The seats sold in force for one license, each from when on, oldest first. */
  async seatHistoryOf(db: Executor, licenseId: string): Promise<{ since: Date; seats: number }[]> {
    return db
      .select({ since: licenseSeatHistory.since, seats: licenseSeatHistory.seats })
      .from(licenseSeatHistory)
      .where(eq(licenseSeatHistory.licenseId, licenseId))
      .orderBy(asc(licenseSeatHistory.since));
  },

  /**
   * Active licenses (of one organisation, or null: all) with their usage over [from, to) of
   * `hours` hours against the seat-seconds sold, ranked: most denials first, or least used
   * first; ties broken by license ID.
   */
  async summaryRows(
    db: Executor,
    q: { from: Date; to: Date; hours: number; order: 'denials' | 'utilisation'; organisationId: string | null; offset: number; limit: number },
  ) {
    const { from, to, hours } = q;
    const seats = sql<number>`coalesce(${licenses.seatsOverride}, ${plans.seats})`;
    const sold = soldSeatSeconds(db, from, to);
    // Without a history (a license made before there was one), today's seats over the whole range.
    const soldSeconds = sql<number>`coalesce(max(${sold.seatSeconds}), ${hours * 3600} * ${seats})`;
    const seatSeconds = sql<number>`coalesce(sum(${seatUsageHourly.seatSeconds}), 0)`;
    const denials = sql<number>`coalesce(sum(${seatUsageHourly.denials}), 0)`;
    const utilisation = sql<number>`${seatSeconds}::float8 / nullif(${soldSeconds}, 0)`;
    return db
      .select({
        licenseId: licenses.id,
        organisationId: licenses.organisationId,
        seats,
        peak: sql<number>`coalesce(max(${seatUsageHourly.peak}), 0)`,
        seatSeconds,
        soldSeconds,
        denials,
      })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .leftJoin(sold, eq(sold.licenseId, licenses.id))
      .leftJoin(seatUsageHourly, and(eq(seatUsageHourly.licenseId, licenses.id), gte(seatUsageHourly.hour, from), lt(seatUsageHourly.hour, to)))
      .where(and(eq(licenses.status, 'active'), q.organisationId ? eq(licenses.organisationId, q.organisationId) : undefined))
      .groupBy(licenses.id, licenses.organisationId, licenses.seatsOverride, plans.seats)
      .orderBy(
        q.order === 'denials'
          ? sql`${denials} desc, ${utilisation} desc nulls last, ${licenses.id} asc`
          : sql`${utilisation} asc nulls first, ${licenses.id} asc`,
      )
      .offset(q.offset)
      .limit(q.limit);
  },
};
