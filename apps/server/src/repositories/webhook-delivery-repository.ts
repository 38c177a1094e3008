import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { auditEvents, auditHead, webhookCursor, webhookDeliveries } from '../db/schema.js';

export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;

/** Webhook deliveries, their attempts, and the dispatcher's cursor in the audit chain. */
export const webhookDeliveryRepository = {
  /** The dispatcher's cursor, locked; null while another replica holds it. */
  async lockCursor(db: Executor): Promise<{ lastSeq: number } | null> {
    const [cursor] = await db.select().from(webhookCursor).where(eq(webhookCursor.id, 1)).for('update', { skipLocked: true });
    return cursor ? { lastSeq: cursor.lastSeq } : null;
  },

  async moveCursor(db: Executor, lastSeq: number): Promise<void> {
    await db.update(webhookCursor).set({ lastSeq }).where(eq(webhookCursor.id, 1));
  },

  /** The sequence of the audit chain's head: the last event appended. */
  async chainHeadSeq(db: Executor): Promise<number> {
    const [head] = await db.select({ seq: auditHead.seq }).from(auditHead).where(eq(auditHead.id, 1));
    return Number(head?.seq ?? 0);
  },

  /** Audit events of these actions after one sequence up to another, oldest first. */
  async eventsBetween(db: Executor, afterSeq: number, uptoSeq: number, actions: string[], limit: number) {
    return db
      .select()
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, afterSeq), lte(auditEvents.seq, uptoSeq), inArray(auditEvents.action, actions)))
      .orderBy(asc(auditEvents.seq))
      .limit(limit);
  },

  /** Writes deliveries, 500 a statement; one already written (same message to the same endpoint) is kept. */
  async insertDeliveries(db: Executor, rows: NewDeliveryRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insert(webhookDeliveries)
        .values(rows.slice(i, i + 500))
        .onConflictDoNothing();
  },
};
