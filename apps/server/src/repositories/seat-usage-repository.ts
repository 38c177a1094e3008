import { and, asc, eq, gt, inArray, like, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { auditEvents, seatUsageCursor, seatUsageHolders, seatUsageHourly, seatUsageState, sessions } from '../db/schema.js';

export type SeatUsageStateRow = typeof seatUsageState.$inferSelect;
export type SeatUsageHourRow = typeof seatUsageHourly.$inferSelect;
export type SeatUsageHolderRow = typeof seatUsageHolders.$inferSelect;

const CHUNK = 1000;

/** The hourly seat-usage rollup: its cursor in the audit chain, live holders, states and hours. */
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
    return db
      .select()
      .from(seatUsageState)
      .where(
        andEveryBusy
          ? sql`${seatUsageState.concurrent} > 0 or ${inArray(seatUsageState.licenseId, licenseIds.length ? licenseIds : [''])}`
          : inArray(seatUsageState.licenseId, licenseIds.length ? licenseIds : ['']),
      );
  },

  async saveStates(db: Executor, rows: SeatUsageStateRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db
        .insert(seatUsageState)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: seatUsageState.licenseId,
          set: { concurrent: sql`excluded.concurrent`, since: sql`excluded.since` },
        });
    }
  },

  /** The live holders of every pair of these licenses and keys. */
  async holdersOf(db: Executor, licenseIds: string[], keys: string[]): Promise<SeatUsageHolderRow[]> {
    const rows: SeatUsageHolderRow[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      rows.push(
        ...(await db
          .select()
          .from(seatUsageHolders)
          .where(and(inArray(seatUsageHolders.licenseId, licenseIds), inArray(seatUsageHolders.basisKey, keys.slice(i, i + CHUNK))))),
      );
    }
    return rows;
  },

  async removeHolders(db: Executor, sessionIds: string[]): Promise<void> {
    for (let i = 0; i < sessionIds.length; i += CHUNK)
      await db.delete(seatUsageHolders).where(inArray(seatUsageHolders.sessionId, sessionIds.slice(i, i + CHUNK)));
  },

  async addHolders(db: Executor, rows: SeatUsageHolderRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db
        .insert(seatUsageHolders)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoNothing();
    }
  },

  /** Adds to the hours: the peak is the greater, seat-seconds and denials add up. */
  async addToHours(db: Executor, rows: SeatUsageHourRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db
        .insert(seatUsageHourly)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: [seatUsageHourly.licenseId, seatUsageHourly.hour],
          set: {
            peak: sql`greatest(${seatUsageHourly.peak}, excluded.peak)`,
            seatSeconds: sql`${seatUsageHourly.seatSeconds} + excluded.seat_seconds`,
            denials: sql`${seatUsageHourly.denials} + excluded.denials`,
          },
        });
    }
  },
};
