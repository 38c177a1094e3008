import { newId } from '@leasehold/protocol/ids';
import type { Executor } from '../db/database.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type AuditContent, type AuditedChange, auditRepository } from '../repositories/audit-repository.js';
import { contentDigest } from './audit-hash.js';

/** What a service says happened; the log adds time, actor, request and the chain. */
export interface AuditEntry {
  action: string;
  organisationId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  data?: Record<string, unknown>;
  /** Who asked, when one transaction records the decisions of several requests. */
  context?: RequestContext;
  /** When, if not the time given to the append (decisions of several requests). */
  at?: Date;
}

/**
 * Appends audit events inside the caller's transaction, so an event exists exactly
 * when its change does; one statement links them to the chain's head (see
 * auditRepository.link). `alongside` are data-modifying statements (the change being
 * audited) run in that statement, so a batch of decisions needs no transaction of its own.
 */
export async function appendAudit(tx: Executor, ctx: RequestContext, at: Date, entries: AuditEntry[], alongside: AuditedChange[] = []): Promise<void> {
  if (entries.length === 0) return;
  const input = entries.map((entry, i) => {
    const when = entry.at ?? at;
    const context = entry.context ?? ctx;
    const content: AuditContent = {
      id: newId('auditEvent', when.getTime()),
      at: when,
      action: entry.action,
      actorType: context.actor.type,
      actorId: context.actor.id,
      organisationId: entry.organisationId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      requestId: context.requestId,
      ip: context.ip,
      data: entry.data ?? {},
    };
    return { n: i + 1, ...content, digest: contentDigest(content) };
  });
  const linked = await auditRepository.link(tx, input, alongside);
  // Without a head row nothing links; failing here rolls back the audited change too.
  if (linked !== entries.length + 1) throw new Error('audit chain head is missing: run migrations');
}
