import { newId } from '@leasehold/protocol/ids';
import type { Organisation } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type OrganisationRow, organisationRepository } from '../repositories/organisation-repository.js';
import { iso, pageOf } from './paging.js';

const organisationView = (r: OrganisationRow): Organisation => ({
  id: r.id,
  name: r.name,
  metadata: r.metadata as Organisation['metadata'],
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

/** Tenants. A caller scoped to one organisation sees only it; any other answers as missing. */
export class OrganisationService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async create(input: { name: string; metadata: Record<string, unknown> }, scope: OrganisationScope, ctx: RequestContext): Promise<Organisation> {
    if (scope.organisationId) throw new LeaseholdError('FORBIDDEN', 'A key bound to one organisation cannot create organisations.');
    const now = this.deps.clock.now();
    const row: OrganisationRow = {
      id: newId('organisation', now.getTime()),
      name: input.name,
      metadata: input.metadata,
      stripeCustomerId: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.db.transaction(async (tx) => {
      await organisationRepository.insert(tx, row);
      await appendAudit(tx, ctx, now, [
        { action: 'organisation.created', organisationId: row.id, targetType: 'organisation', targetId: row.id, data: { name: row.name } },
      ]);
    });
    return organisationView(row);
  }

  async list(limit: number, cursor: string | undefined, scope: OrganisationScope) {
    const rows = await organisationRepository.page(this.deps.db, { limit: limit + 1, cursor, onlyId: scope.organisationId });
    const page = pageOf(rows, limit, (r) => r.id);
    return { data: page.data.map(organisationView), nextCursor: page.nextCursor };
  }

  async get(id: string, scope: OrganisationScope): Promise<Organisation> {
    if (scope.organisationId && scope.organisationId !== id) throw notFound('organisation', id);
    const row = await organisationRepository.find(this.deps.db, id);
    if (!row) throw notFound('organisation', id);
    return organisationView(row);
  }

  async update(
    id: string,
    input: { name?: string | undefined; metadata?: Record<string, unknown> | undefined },
    scope: OrganisationScope,
    ctx: RequestContext,
  ): Promise<Organisation> {
    await this.get(id, scope);
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await organisationRepository.update(tx, id, input, now);
      if (!row) throw notFound('organisation', id);
      await appendAudit(tx, ctx, now, [
        { action: 'organisation.updated', organisationId: id, targetType: 'organisation', targetId: id, data: { changes: input } },
      ]);
      return organisationView(row);
    });
  }
}
