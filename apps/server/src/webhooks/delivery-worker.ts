import { eq, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { webhookDeliveries, webhookEndpoints } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { systemContext } from '../kernel/request-context.js';
import type { EndpointRow } from './endpoint-service.js';
import { nextAttemptAfter } from './retry-schedule.js';
import { type SendOptions, type SendResult, sendWebhook } from './webhook-sender.js';
import { signedHeaders } from './webhook-signature.js';

interface Claimed {
  id: string;
  endpointId: string;
  messageId: string;
  payload: string;
  attempts: number;
  createdAt: Date;
}

type Rows<T> = { rows: T[] };

/**
 * Delivers what the dispatcher wrote, at least once. A claim takes due deliveries with
 * FOR UPDATE SKIP LOCKED and leases them (moves their next attempt past the request's
 * deadline) in one statement, so replicas never send one delivery at once, and one that
 * was claimed by a process that died is sent again when its lease ends. A delivery waits
 * while an earlier delivery of the same license to the same endpoint is pending, so a
 * receiver sees each license's events in order. Failures back off (see retry-schedule);
 * when the last attempt fails and the endpoint has not succeeded since the delivery was
 * written, the endpoint is disabled and its owner told.
 */
export class WebhookDeliveryWorker {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      send: SendOptions;
      onDisabled?: (endpoint: EndpointRow) => void;
      onAttempt?: (outcome: 'delivered' | 'retry' | 'failed') => void;
      /** Deliveries sent at once. */
      concurrency?: number;
    },
  ) {}

  /** Sends every due delivery, batch after batch; answers how many attempts were made. */
  async deliverDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.#claim(this.deps.concurrency ?? 10);
      if (claimed.length === 0) return total;
      await Promise.all(claimed.map((delivery) => this.#attempt(delivery)));
      total += claimed.length;
    }
  }

  async #claim(limit: number): Promise<Claimed[]> {
    const now = this.deps.clock.now();
    const leaseUntil = new Date(now.getTime() + this.deps.send.timeoutMs + 60_000);
    const result = (await this.deps.db.execute(sql`
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
      returning w.id, w.endpoint_id as "endpointId", w.message_id as "messageId", w.payload, w.attempts, w.created_at as "createdAt"`)) as unknown as Rows<Claimed>;
    return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts), createdAt: new Date(r.createdAt) }));
  }

  async #attempt(delivery: Claimed): Promise<void> {
    const [endpoint] = await this.deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId));
    if (!endpoint) return;
    const at = this.deps.clock.now();
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) secrets.push(endpoint.previousSecret);
    const result = await sendWebhook(endpoint.url, signedHeaders(secrets, delivery.messageId, at, delivery.payload), delivery.payload, this.deps.send);
    const disabled = await this.#record(delivery, result);
    if (disabled) this.deps.onDisabled?.(disabled);
  }

  /** Writes the attempt's outcome; answers the endpoint when this failure disabled it. */
  async #record(delivery: Claimed, result: SendResult): Promise<EndpointRow | null> {
    const now = this.deps.clock.now();
    const next = result.ok ? null : nextAttemptAfter(delivery.attempts, now);
    const status = result.ok ? 'delivered' : next ? 'pending' : 'failed';
    this.deps.onAttempt?.(status === 'pending' ? 'retry' : status);
    return this.deps.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(webhookDeliveries)
        .set({
          status,
          nextAttemptAt: next,
          lastStatusCode: result.statusCode,
          lastLatencyMs: result.latencyMs,
          lastError: result.error,
          ...(result.ok ? { deliveredAt: now } : {}),
        })
        .where(eq(webhookDeliveries.id, delivery.id))
        .returning({ id: webhookDeliveries.id });
      if (!updated) return null;
      await tx.execute(sql`
        insert into webhook_attempts (delivery_id, n, attempt, at, status_code, latency_ms, error)
        select ${delivery.id}::text, coalesce(max(n), 0) + 1, ${delivery.attempts}::int, ${now.toISOString()}::timestamptz, ${result.statusCode}::int, ${result.latencyMs}::int, ${result.error}::text
        from webhook_attempts where delivery_id = ${delivery.id}`);
      if (result.ok) {
        await tx.update(webhookEndpoints).set({ lastSuccessAt: now }).where(eq(webhookEndpoints.id, delivery.endpointId));
        return null;
      }
      if (status !== 'failed') return null;
      const [endpoint] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId)).for('update');
      if (endpoint?.status !== 'enabled') return null;
      // One event a receiver keeps refusing does not disable an endpoint that takes the others.
      if (endpoint.lastSuccessAt && endpoint.lastSuccessAt > delivery.createdAt) return null;
      const reason = `every attempt failed since ${delivery.createdAt.toISOString()} (last: ${result.error ?? 'error'})`;
      const [disabled] = await tx
        .update(webhookEndpoints)
        .set({ status: 'disabled', disabledReason: reason, updatedAt: now })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning();
      await appendAudit(tx, systemContext('webhooks'), now, [
        {
          action: 'webhook-endpoint.disabled',
          organisationId: endpoint.organisationId,
          targetType: 'webhook-endpoint',
          targetId: endpoint.id,
          data: { reason },
        },
      ]);
      return disabled ?? null;
    });
  }
}
