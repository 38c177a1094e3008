import { and, asc, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { auditEvents, auditHead, webhookAttempts, webhookCursor, webhookDeliveries } from '../db/schema.js';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;

/** A delivery the worker claimed to send. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  messageId: string;
  payload: string;
  attempts: number;
  createdAt: Date;
}

/** What one attempt leaves on its delivery. */
export type DeliveryOutcome = Pick<NewDeliveryRow, 'status' | 'nextAttemptAt' | 'lastStatusCode' | 'lastLatencyMs' | 'lastError' | 'deliveredAt'>;

type Rows<T> = { rows: T[] };

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

  /**
   * Claims up to `limit` due deliveries and leases them until `leaseUntil`, counting the
   * attempt, in one statement: FOR UPDATE SKIP LOCKED keeps replicas off each other's
   * claims, and one waits while an earlier delivery of its license to its endpoint is pending.
   */
  async claimDue(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const result = (await db.execute(sql`
      with due as (
        select d.id from webhook_deliveries d
        join webhook_endpoints e on e.id = d.endpoint_id
        where d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz and e.status = 'enabled'
          and not exists (
            select 1 from webhook_deliveries p
            where p.endpoint_id = d.endpoint_id and p.order_key = d.order_key and p.status = 'pending'
              and (p.event_seq < d.event_seq or (p.event_seq = d.event_seq and p.message_id < d.message_id)))
        order by d.next_attempt_at, d.event_seq, d.message_id
        limit ${limit}
        for update of d skip locked
      )
      update webhook_deliveries w set next_attempt_at = ${leaseUntil.toISOString()}::timestamptz, attempts = w.attempts + 1
      from due where w.id = due.id
      returning w.id, w.endpoint_id as "endpointId", w.message_id as "messageId", w.payload, w.attempts, w.created_at as "createdAt"`)) as unknown as Rows<ClaimedDelivery>;
    return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts), createdAt: new Date(r.createdAt) }));
  },

  /** Writes an attempt's outcome on its delivery; false when the delivery is gone. */
  async recordOutcome(db: Executor, deliveryId: string, outcome: DeliveryOutcome): Promise<boolean> {
    const [updated] = await db.update(webhookDeliveries).set(outcome).where(eq(webhookDeliveries.id, deliveryId)).returning({ id: webhookDeliveries.id });
    return updated !== undefined;
  },

  /** Adds an attempt to the delivery's log, numbered after the ones before it. */
  async appendAttempt(
    db: Executor,
    deliveryId: string,
    attempt: { attempt: number; at: Date; statusCode: number | null; latencyMs: number; error: string | null },
  ): Promise<void> {
    await db.execute(sql`
        insert into webhook_attempts (delivery_id, n, attempt, at, status_code, latency_ms, error)
        select ${deliveryId}::text, coalesce(max(n), 0) + 1, ${attempt.attempt}::int, ${attempt.at.toISOString()}::timestamptz, ${attempt.statusCode}::int, ${attempt.latencyMs}::int, ${attempt.error}::text
        from webhook_attempts where delivery_id = ${deliveryId}`);
  },

  /** The endpoint's pending deliveries are due now, not at the end of their backoff. */
  async retryPendingNow(db: Executor, endpointId: string, now: Date): Promise<void> {
    await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: now })
      .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'pending')));
  },

  /** A page of the endpoint's deliveries, newest first, before the cursor and of one status if given. */
  async listOfEndpoint(
    db: Executor,
    endpointId: string,
    page: { before: string | undefined; status: WebhookDeliveryRow['status'] | undefined; limit: number },
  ): Promise<WebhookDeliveryRow[]> {
    return db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          page.before ? lt(webhookDeliveries.id, page.before) : undefined,
          page.status ? eq(webhookDeliveries.status, page.status) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.id))
      .limit(page.limit);
  },

  /** The delivery if it belongs to this endpoint; null otherwise. */
  async findOfEndpoint(db: Executor, endpointId: string, deliveryId: string): Promise<WebhookDeliveryRow | null> {
    const [row] = await db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
    return row ?? null;
  },

  /** The delivery's attempts in the order they were made. */
  async attemptsOf(db: Executor, deliveryId: string) {
    return db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(asc(webhookAttempts.n));
  },

  /** Pending again, due now, with a fresh count of attempts; null when the delivery is gone. */
  async restart(db: Executor, deliveryId: string, now: Date): Promise<WebhookDeliveryRow | null> {
    const [row] = await db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, deliveredAt: null })
      .where(eq(webhookDeliveries.id, deliveryId))
      .returning();
    return row ?? null;
  },

  /** Deletes deliveries done (delivered or failed) that were written before a time; answers how many. */
  async deleteDoneBefore(db: Executor, before: Date): Promise<number> {
    const gone = await db
      .delete(webhookDeliveries)
      .where(and(inArray(webhookDeliveries.status, ['delivered', 'failed']), lt(webhookDeliveries.createdAt, before)))
      .returning({ id: webhookDeliveries.id });
    return gone.length;
  },
};
