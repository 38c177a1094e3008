import { newId } from '@leasehold/protocol/ids';
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { auditEvents, auditHead } from '../db/schema.js';
import type { RequestContext } from '../request-context.js';
import { auditHash } from './audit-hash.js';

/** What a service says happened; the log adds time, actor, request and the chain. */
export interface AuditEntry {
  action: string;
  organisationId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  data?: Record<string, unknown>;
  /** Who asked, when one transaction records the decisions of several requests. */
  context?: RequestContext;
}

/**
 * Appends audit events inside the caller's transaction, so an event exists exactly
 * when its change does. The head row is locked first: appends are serialised and
 * each event links to the one before it.
 */
export async function appendAudit(tx: Executor, ctx: RequestContext, at: Date, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
  if (!head) throw new Error('audit chain head is missing: run migrations');
  let { seq, hash: prevHash } = head;
  const rows = entries.map((entry) => {
    seq += 1;
    const fields = {
      seq,
      id: newId('auditEvent', at.getTime()),
      at,
      action: entry.action,
      actorType: (entry.context ?? ctx).actor.type,
      actorId: (entry.context ?? ctx).actor.id,
      organisationId: entry.organisationId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      requestId: (entry.context ?? ctx).requestId,
      ip: (entry.context ?? ctx).ip,
      data: entry.data ?? {},
      prevHash,
    };
    const hash = auditHash(fields);
    prevHash = hash;
    return { ...fields, hash };
  });
  await tx.insert(auditEvents).values(rows);
  await tx.update(auditHead).set({ seq, hash: prevHash }).where(eq(auditHead.id, 1));
}
