import type { AuditEvent, AuditQuery } from '@leasehold/protocol/schemas';
import { verifyAuditChain } from '../audit/verify-chain.js';
import type { Db } from '../db/database.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { type AuditFilter, type AuditRow, auditRepository } from '../repositories/audit-repository.js';
import { iso, pageOf } from './paging.js';

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

  async query(query: AuditQuery, scope: OrganisationScope) {
    const cursor = query.cursor !== undefined ? Number(query.cursor) : undefined;
    const before = cursor !== undefined && Number.isSafeInteger(cursor) ? cursor : undefined;
    const rows = await auditRepository.newest(this.deps.db, query, scope, before, query.limit + 1);
    const page = pageOf(rows, query.limit, (r) => r.seq);
    return { data: page.data.map(auditView), nextCursor: page.nextCursor };
  }

  /** Every matching event, oldest first, in batches: for export as JSON lines. */
  async *export(query: AuditFilter, scope: OrganisationScope): AsyncGenerator<AuditEvent> {
    let after = 0;
    for (;;) {
      const rows = await auditRepository.oldest(this.deps.db, query, scope, after, EXPORT_BATCH);
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
