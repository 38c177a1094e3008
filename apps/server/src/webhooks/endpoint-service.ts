import { newId } from '@leasehold/protocol/ids';
import type { WebhookEndpoint, WebhookEventType } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Executor } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { webhookDeliveryRepository } from '../repositories/webhook-delivery-repository.js';
import { type WebhookEndpointRow, webhookEndpointRepository } from '../repositories/webhook-endpoint-repository.js';
import { refusedLiteral } from './target-guard.js';
import { newWebhookSecret } from './webhook-signature.js';

/** How long the previous secret keeps signing after a rotation. */
const PREVIOUS_SECRET_SECONDS = 24 * 3600;

const iso = (d: Date) => d.toISOString();

const endpointView = (r: WebhookEndpointRow): WebhookEndpoint => ({
  id: r.id,
  organisationId: r.organisationId,
  url: r.url,
  description: r.description,
  eventTypes: r.eventTypes as WebhookEventType[],
  status: r.status,
  disabledReason: r.disabledReason,
  secretRotatedAt: r.secretRotatedAt ? iso(r.secretRotatedAt) : null,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

interface CreateInput {
  url: string;
  eventTypes: WebhookEventType[];
  description?: string | undefined;
  organisationId?: string | null | undefined;
}

interface UpdateInput {
  url?: string | undefined;
  eventTypes?: WebhookEventType[] | undefined;
  description?: string | undefined;
  status?: 'enabled' | 'disabled' | undefined;
}

/**
 * Webhook endpoints of the vendor (every organisation's events, or one's) and of an
 * organisation (its own events). A caller scoped to one organisation sees only that
 * organisation's endpoints; any other answers as missing.
 */
export class WebhookEndpointService {
  constructor(private readonly deps: { db: Db; clock: Clock; allowPrivateTargets: boolean }) {}

  async create(input: CreateInput, scope: OrganisationScope, ctx: RequestContext) {
    const organisationId = scope.organisationId ?? input.organisationId ?? null;
    if (scope.organisationId && input.organisationId && input.organisationId !== scope.organisationId) throw notFound('organisation', input.organisationId);
    this.#checkUrl(input.url);
    const now = this.deps.clock.now();
    const secret = newWebhookSecret();
    return this.deps.db.transaction(async (tx) => {
      if (organisationId) {
        if (!(await webhookEndpointRepository.organisationExists(tx, organisationId))) throw notFound('organisation', organisationId);
      }
      const id = newId('webhookEndpoint', now.getTime());
      await appendAudit(tx, ctx, now, [
        {
          action: 'webhook-endpoint.created',
          organisationId,
          targetType: 'webhook-endpoint',
          targetId: id,
          data: { url: input.url, eventTypes: input.eventTypes },
        },
      ]);
      // Holding the chain's head since the append: its sequence is this creation's, and only later events are sent.
      const headSeq = await webhookDeliveryRepository.chainHeadSeq(tx);
      const row: WebhookEndpointRow = {
        id,
        organisationId,
        url: input.url,
        description: input.description ?? '',
        eventTypes: [...new Set(input.eventTypes)],
        secret,
        previousSecret: null,
        previousSecretExpiresAt: null,
        secretRotatedAt: null,
        status: 'enabled',
        disabledReason: null,
        fromSeq: headSeq,
        lastSuccessAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await webhookEndpointRepository.insert(tx, row);
      return { ...endpointView(row), secret };
    });
  }

  async list(limit: number, cursor: string | undefined, scope: OrganisationScope) {
    const rows = await webhookEndpointRepository.listPage(this.deps.db, { organisationId: scope.organisationId, after: cursor, limit: limit + 1 });
    const data = rows.slice(0, limit);
    return { data: data.map(endpointView), nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
  }

  async get(id: string, scope: OrganisationScope): Promise<WebhookEndpoint> {
    return endpointView(await this.load(this.deps.db, id, scope));
  }

  async update(id: string, input: UpdateInput, scope: OrganisationScope, ctx: RequestContext): Promise<WebhookEndpoint> {
    if (input.url !== undefined) this.#checkUrl(input.url);
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const before = await this.load(tx, id, scope, true);
      const changes: Partial<WebhookEndpointRow> = { updatedAt: now };
      if (input.url !== undefined) changes.url = input.url;
      if (input.eventTypes !== undefined) changes.eventTypes = [...new Set(input.eventTypes)];
      if (input.description !== undefined) changes.description = input.description;
      if (input.status !== undefined && input.status !== before.status) {
        changes.status = input.status;
        changes.disabledReason = input.status === 'disabled' ? 'disabled by a person' : null;
      }
      const row = await webhookEndpointRepository.update(tx, id, changes);
      if (!row) throw notFound('webhook endpoint', id);
      // Re-enabled: what waited is tried again now, not at the end of its backoff.
      if (changes.status === 'enabled') await webhookDeliveryRepository.retryPendingNow(tx, id, now);
      await appendAudit(tx, ctx, now, [
        { action: 'webhook-endpoint.updated', organisationId: row.organisationId, targetType: 'webhook-endpoint', targetId: id, data: { changes: input } },
      ]);
      return endpointView(row);
    });
  }

  /** Deletes an endpoint and its deliveries. */
  async remove(id: string, scope: OrganisationScope, ctx: RequestContext): Promise<{ deleted: true }> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const row = await this.load(tx, id, scope, true);
      await webhookEndpointRepository.delete(tx, id);
      await appendAudit(tx, ctx, now, [
        { action: 'webhook-endpoint.deleted', organisationId: row.organisationId, targetType: 'webhook-endpoint', targetId: id, data: { url: row.url } },
      ]);
    });
    return { deleted: true };
  }

  /** A new secret, shown once; the previous one keeps signing beside it for 24 hours. */
  async rotateSecret(id: string, scope: OrganisationScope, ctx: RequestContext) {
    const now = this.deps.clock.now();
    const secret = newWebhookSecret();
    return this.deps.db.transaction(async (tx) => {
      const before = await this.load(tx, id, scope, true);
      const row = await webhookEndpointRepository.update(tx, id, {
        secret,
        previousSecret: before.secret,
        previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_SECONDS * 1000),
        secretRotatedAt: now,
        updatedAt: now,
      });
      if (!row) throw notFound('webhook endpoint', id);
      await appendAudit(tx, ctx, now, [
        { action: 'webhook-endpoint.secret-rotated', organisationId: row.organisationId, targetType: 'webhook-endpoint', targetId: id, data: {} },
      ]);
      return { ...endpointView(row), secret };
    });
  }

  /** One endpoint the scope may see, or NOT_FOUND. */
  async load(tx: Executor, id: string, scope: OrganisationScope, forUpdate = false): Promise<WebhookEndpointRow> {
    const row = await webhookEndpointRepository.findVisible(tx, id, scope.organisationId, forUpdate);
    if (!row) throw notFound('webhook endpoint', id);
    return row;
  }

  #checkUrl(url: string): void {
    if (this.deps.allowPrivateTargets) return;
    const refused = refusedLiteral(new URL(url));
    if (refused) throw new LeaseholdError('VALIDATION_FAILED', `The webhook URL is refused: ${refused}.`, { errors: [{ path: 'body.url', message: refused }] });
  }
}
