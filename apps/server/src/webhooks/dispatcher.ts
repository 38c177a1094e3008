import { newId } from '@leasehold/protocol/ids';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { type NewDeliveryRow, webhookDeliveryRepository } from '../repositories/webhook-delivery-repository.js';
import { webhookEndpointRepository } from '../repositories/webhook-endpoint-repository.js';
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
      const cursor = await webhookDeliveryRepository.lockCursor(tx);
      if (!cursor) return { deliveries: 0, more: false };
      // The head first: every event up to it has committed, so none below it can appear later.
      const headSeq = await webhookDeliveryRepository.chainHeadSeq(tx);
      if (headSeq <= cursor.lastSeq) return { deliveries: 0, more: false };
      const events = await webhookDeliveryRepository.eventsBetween(tx, cursor.lastSeq, headSeq, SENT_ACTIONS, batch);
      const more = events.length === batch;
      const reached = more ? Number(events[events.length - 1]?.seq) : headSeq;
      const endpoints = events.length > 0 ? await webhookEndpointRepository.listEnabled(tx) : [];
      const now = this.deps.clock.now();
      const rows: NewDeliveryRow[] = [];
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
      await webhookDeliveryRepository.insertDeliveries(tx, rows);
      await webhookDeliveryRepository.moveCursor(tx, reached);
      return { deliveries: rows.length, more };
    });
  }
}
