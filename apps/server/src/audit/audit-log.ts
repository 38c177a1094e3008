import { newId } from '@leasehold/protocol/ids';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type AuditContent, contentDigest } from './audit-hash.js';

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
 * when its change does. One statement locks the chain's head, links the events to it
 * and to each other (PostgreSQL computes each hash, see linkHash) and moves the head:
 * the lock is held for that statement and the commit, never across a round trip.
 * `alongside` are data-modifying statements (the change being audited) run in the
 * same statement, so a batch of decisions needs no transaction of its own.
 */
export async function appendAudit(tx: Executor, ctx: RequestContext, at: Date, entries: AuditEntry[], alongside: SQL[] = []): Promise<void> {
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
  const changes = alongside.map((statement, i) => sql`${sql.raw(`change_${i}`)} as (${statement}),`);
  const result = (await tx.execute(sql`
    with recursive ${sql.join(changes, sql` `)}
    input as (
      select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as r(
        n int, id text, at timestamptz, action text, "actorType" text, "actorId" text, "organisationId" text,
        "targetType" text, "targetId" text, "requestId" text, ip text, data jsonb, digest text)
    ),
    head as (select seq, hash from audit_head where id = 1 for update),
    chain as (
      select 0 as n, seq, hash from head
      union all
      select i.n, c.seq + 1, encode(sha256(convert_to(c.hash || E'\n' || (c.seq + 1)::text || E'\n' || i.digest, 'UTF8')), 'hex')
      from chain c join input i on i.n = c.n + 1
    ),
    inserted as (
      insert into audit_events (seq, id, at, action, actor_type, actor_id, organisation_id, target_type, target_id, request_id, ip, data, prev_hash, hash)
      select c.seq, i.id, i.at, i.action, i."actorType", i."actorId", i."organisationId", i."targetType", i."targetId", i."requestId", i.ip, i.data, p.hash, c.hash
      from input i join chain c on c.n = i.n join chain p on p.n = i.n - 1
    ),
    moved as (
      update audit_head set seq = last.seq, hash = last.hash
      from (select n, seq, hash from chain order by n desc limit 1) last
      where audit_head.id = 1 and last.n > 0
    )
    select count(*)::int as linked from chain`)) as unknown as { rows: Array<{ linked: number }> };
  // Without a head row nothing links; failing here rolls back the audited change too.
  if (Number(result.rows[0]?.linked) !== entries.length + 1) throw new Error('audit chain head is missing: run migrations');
}
