import type { AuditEvent, AuditQuery } from '@leasehold/protocol/schemas';
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from 'drizzle-orm';
import { verifyAuditChain } from '../audit/verify-chain.js';
import type { Db } from '../db/database.js';
import { auditEvents } from '../db/schema.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { iso, pageOf } from './paging.js';

type AuditRow = typeof auditEvents.$inferSelect;

const auditView = (r: AuditRow): AuditEvent => ({
  id: r.id,
  seq: r.seq,
  at: iso(r.at),
  action: r.action,
  actorType: r.actorType,
  actorId: r.actorId,
  organisationId: r.organisationId,
  targetType: r.targetType,
  targetId: r.targetId,
  requestId: r.requestId,
  ip: r.ip,
  data: r.data,
  prevHash: r.prevHash,
  hash: r.hash,
});

const EXPORT_BATCH = 1000;

/** Reading the audit trail: newest first for queries, oldest first for export. */
export class AuditService {
  constructor(private readonly deps: { db: Db }) {}

  #filters(query: Omit<AuditQuery, 'limit' | 'cursor'>, scope: OrganisationScope): (SQL | undefined)[] {
    return [
      query.action ? eq(auditEvents.action, query.action) : undefined,
      query.actorId ? eq(auditEvents.actorId, query.actorId) : undefined,
      query.actorType ? eq(auditEvents.actorType, query.actorType) : undefined,
      query.organisationId ? eq(auditEvents.organisationId, query.organisationId) : undefined,
      query.targetId ? eq(auditEvents.targetId, query.targetId) : undefined,
      query.from ? gte(auditEvents.at, new Date(query.from)) : undefined,
      query.to ? lte(auditEvents.at, new Date(query.to)) : undefined,
      scope.organisationId ? eq(auditEvents.organisationId, scope.organisationId) : undefined,
    ];
  }

  async query(query: AuditQuery, scope: OrganisationScope) {
    const cursor = query.cursor !== undefined ? Number(query.cursor) : undefined;
    const rows = await this.deps.db
      .select()
      .from(auditEvents)
      .where(and(...this.#filters(query, scope), cursor !== undefined && Number.isSafeInteger(cursor) ? lt(auditEvents.seq, cursor) : undefined))
      .orderBy(desc(auditEvents.seq))
      .limit(query.limit + 1);
    const page = pageOf(rows, query.limit, (r) => r.seq);
    return { data: page.data.map(auditView), nextCursor: page.nextCursor };
  }

  /** Every matching event, oldest first, in batches: for export as JSON lines. */
  async *export(query: Omit<AuditQuery, 'limit' | 'cursor'>, scope: OrganisationScope): AsyncGenerator<AuditEvent> {
    let after = 0;
    for (;;) {
      const rows = await this.deps.db
        .select()
        .from(auditEvents)
        .where(and(...this.#filters(query, scope), gt(auditEvents.seq, after)))
        .orderBy(asc(auditEvents.seq))
        .limit(EXPORT_BATCH);
      for (const row of rows) yield auditView(row);
      const last = rows[rows.length - 1];
      if (!last || rows.length < EXPORT_BATCH) return;
      after = last.seq;
    }
  }

  verify() {
    return verifyAuditChain(this.deps.db);
  }
}
