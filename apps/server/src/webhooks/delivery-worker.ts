import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { systemContext } from '../kernel/request-context.js';
import { type ClaimedDelivery, webhookDeliveryRepository } from '../repositories/webhook-delivery-repository.js';
import { type WebhookEndpointRow, webhookEndpointRepository } from '../repositories/webhook-endpoint-repository.js';
import { nextAttemptAfter } from './retry-schedule.js';
import { type SendOptions, type SendResult, sendWebhook } from './webhook-sender.js';
import { signedHeaders } from './webhook-signature.js';

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
      onDisabled?: (endpoint: WebhookEndpointRow) => void;
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

  async #claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.deps.clock.now();
    const leaseUntil = new Date(now.getTime() + this.deps.send.timeoutMs + 60_000);
    return webhookDeliveryRepository.claimDue(this.deps.db, now, leaseUntil, limit);
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const endpoint = await webhookEndpointRepository.findById(this.deps.db, delivery.endpointId);
    if (!endpoint) return;
    const at = this.deps.clock.now();
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) secrets.push(endpoint.previousSecret);
    const result = await sendWebhook(endpoint.url, signedHeaders(secrets, delivery.messageId, at, delivery.payload), delivery.payload, this.deps.send);
    const disabled = await this.#record(delivery, result);
    if (disabled) this.deps.onDisabled?.(disabled);
  }

  /** Writes the attempt's outcome; answers the endpoint when this failure disabled it. */
  async #record(delivery: ClaimedDelivery, result: SendResult): Promise<WebhookEndpointRow | null> {
    const now = this.deps.clock.now();
    const next = result.ok ? null : nextAttemptAfter(delivery.attempts, now);
    const status = result.ok ? 'delivered' : next ? 'pending' : 'failed';
    this.deps.onAttempt?.(status === 'pending' ? 'retry' : status);
    return this.deps.db.transaction(async (tx) => {
      const updated = await webhookDeliveryRepository.recordOutcome(tx, delivery.id, {
        status,
        nextAttemptAt: next,
        lastStatusCode: result.statusCode,
        lastLatencyMs: result.latencyMs,
        lastError: result.error,
        ...(result.ok ? { deliveredAt: now } : {}),
      });
      if (!updated) return null;
      await webhookDeliveryRepository.appendAttempt(tx, delivery.id, {
        attempt: delivery.attempts,
        at: now,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: result.error,
      });
      if (result.ok) {
        await webhookEndpointRepository.markSucceeded(tx, delivery.endpointId, now);
        return null;
      }
      if (status !== 'failed') return null;
      const endpoint = await webhookEndpointRepository.lockById(tx, delivery.endpointId);
      if (endpoint?.status !== 'enabled') return null;
      // One event a receiver keeps refusing does not disable an endpoint that takes the others.
      if (endpoint.lastSuccessAt && endpoint.lastSuccessAt > delivery.createdAt) return null;
      const reason = `every attempt failed since ${delivery.createdAt.toISOString()} (last: ${result.error ?? 'error'})`;
      const disabled = await webhookEndpointRepository.disable(tx, endpoint.id, reason, now);
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
