import type { WebhookDelivery, WebhookEventType } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type WebhookDeliveryRow, webhookDeliveryRepository } from '../repositories/webhook-delivery-repository.js';
import type { WebhookEndpointService } from './endpoint-service.js';

/** How long the log keeps a delivery that is done (delivered or failed). */
const KEPT_DAYS = 30;

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

const deliveryView = (r: WebhookDeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpointId,
  eventId: r.eventId,
  webhookId: r.messageId,
  eventType: r.eventType as WebhookEventType,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.lastStatusCode,
  lastLatencyMs: r.lastLatencyMs,
  lastError: r.lastError,
  nextAttemptAt: r.status === 'pending' ? isoOrNull(r.nextAttemptAt) : null,
  deliveredAt: isoOrNull(r.deliveredAt),
  createdAt: r.createdAt.toISOString(),
});

/** The delivery log of an endpoint, and redelivery on demand. */
export class WebhookDeliveryLog {
  constructor(private readonly deps: { db: Db; clock: Clock; endpoints: WebhookEndpointService }) {}

  /** Newest first. */
  async list(
    endpointId: string,
    query: { limit: number; cursor?: string | undefined; status?: WebhookDeliveryRow['status'] | undefined },
    scope: OrganisationScope,
  ) {
    await this.deps.endpoints.load(this.deps.db, endpointId, scope);
    const rows = await webhookDeliveryRepository.listOfEndpoint(this.deps.db, endpointId, {
      before: query.cursor,
      status: query.status,
      limit: query.limit + 1,
    });
    const data = rows.slice(0, query.limit);
    return { data: data.map(deliveryView), nextCursor: rows.length > query.limit ? (data[data.length - 1]?.id ?? null) : null };
  }

  /** One delivery with its body and every attempt. */
  async get(endpointId: string, deliveryId: string, scope: OrganisationScope) {
    const { row } = await this.#load(endpointId, deliveryId, scope);
    const attempts = await webhookDeliveryRepository.attemptsOf(this.deps.db, deliveryId);
    return {
      ...deliveryView(row),
      payload: row.payload,
      log: attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error })),
    };
  }

  /** Sends a delivery again now, whatever its state, with a fresh set of attempts. */
  async redeliver(endpointId: string, deliveryId: string, scope: OrganisationScope, ctx: RequestContext): Promise<WebhookDelivery> {
    const { endpoint, row: before } = await this.#load(endpointId, deliveryId, scope);
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await webhookDeliveryRepository.restart(tx, deliveryId, now);
      if (!row) throw notFound('webhook delivery', deliveryId);
      await appendAudit(tx, ctx, now, [
        {
          action: 'webhook-delivery.redelivered',
          organisationId: endpoint.organisationId,
          targetType: 'webhook-delivery',
          targetId: deliveryId,
          data: { endpointId, previousStatus: before.status },
        },
      ]);
      return deliveryView(row);
    });
  }

  /** Forgets deliveries done more than 30 days ago (their attempts go with them); answers how many. */
  async purge(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - KEPT_DAYS * 86_400_000);
    return webhookDeliveryRepository.deleteDoneBefore(this.deps.db, before);
  }

  async #load(endpointId: string, deliveryId: string, scope: OrganisationScope) {
    const endpoint = await this.deps.endpoints.load(this.deps.db, endpointId, scope);
    const row = await webhookDeliveryRepository.findOfEndpoint(this.deps.db, endpointId, deliveryId);
    if (!row) throw notFound('webhook delivery', deliveryId);
    return { endpoint, row };
  }
}
