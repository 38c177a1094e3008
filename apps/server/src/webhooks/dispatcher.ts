import { newId } from '@leasehold/protocol/ids';
import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { auditEvents, auditHead, webhookCursor, webhookDeliveries, webhookEndpoints } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { eventTypesOf, licenseOf, SENT_ACTIONS, webhookPayload } from './event-types.js';

/**
 * Fans committed audit events out into deliveries, one per subscribed endpoint, in one
 * transaction with moving the cursor: each event is fanned out exactly once. The chain's
 * sequence is the order of commits (appends are serialised on its head), so reading past
 * the cursor up to the head read first sees every committed event and no uncommitted one;
 * a change that rolled back left no event to send. Replicas may all run it: the cursor row
 * lets one at a time in and the others skip.
 */
export class WebhookDispatcher {
  constructor(private readonly deps: { db: Db; clock: Clock; batch?: number }) {}

  /** Fans out until caught up; answers how many deliveries were written. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const step = await this.runOnce();
      total += step.deliveries;
      if (!step.more) return total;
    }
  }

  async runOnce(): Promise<{ deliveries: number; more: boolean }> {
    const batch = this.deps.batch ?? 1000;
    return this.deps.db.transaction(async (tx) => {
      const [cursor] = await tx.select().from(webhookCursor).where(eq(webhookCursor.id, 1)).for('update', { skipLocked: true });
      if (!cursor) return { deliveries: 0, more: false };
      // The head first: every event up to it has committed, so none below it can appear later.
      const [head] = await tx.select({ seq: auditHead.seq }).from(auditHead).where(eq(auditHead.id, 1));
      const headSeq = Number(head?.seq ?? 0);
      if (headSeq <= cursor.lastSeq) return { deliveries: 0, more: false };
      const events = await tx
        .select()
        .from(auditEvents)
        .where(and(gt(auditEvents.seq, cursor.lastSeq), lte(auditEvents.seq, headSeq), inArray(auditEvents.action, SENT_ACTIONS)))
        .orderBy(asc(auditEvents.seq))
        .limit(batch);
      const more = events.length === batch;
      const reached = more ? Number(events[events.length - 1]?.seq) : headSeq;
      const endpoints = events.length > 0 ? await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.status, 'enabled')) : [];
      const now = this.deps.clock.now();
      const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (event.seq <= endpoint.fromSeq) continue;
          if (endpoint.organisationId !== null && endpoint.organisationId !== event.organisationId) continue;
          for (const [i, type] of eventTypesOf(event).entries()) {
            if (!endpoint.eventTypes.includes(type)) continue;
            rows.push({
              id: newId('webhookDelivery', now.getTime()),
              endpointId: endpoint.id,
              eventSeq: event.seq,
              eventId: event.id,
              // A type derived from the event gets an ID of its own, so a receiver deduplicating on it keeps both.
              messageId: i === 0 ? event.id : `${event.id}.${type.split('.')[1]}`,
              eventType: type,
              orderKey: licenseOf(event),
              payload: webhookPayload(type, event),
              status: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              createdAt: now,
            });
          }
        }
      }
      for (let i = 0; i < rows.length; i += 500)
        await tx
          .insert(webhookDeliveries)
          .values(rows.slice(i, i + 500))
          .onConflictDoNothing();
      await tx.update(webhookCursor).set({ lastSeq: reached }).where(eq(webhookCursor.id, 1));
      return { deliveries: rows.length, more };
    });
  }
}
