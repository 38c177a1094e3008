import type { AuditQuery } from '@leasehold/protocol/schemas';
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { auditEvents, auditHead } from '../db/schema.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';

export type AuditRow = typeof auditEvents.$inferSelect;

/** A data-modifying statement run in the same statement as the events that audit it. */
export type AuditedChange = SQL;

/** An event ready to be linked: its content and the digest of that content. */
/** What an audit row says happened: everything but its place in the chain (its content digest covers this). */
export interface AuditContent {
  id: string;
  at: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  organisationId: string | null;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  data: Record<string, unknown>;
}

/** An event to link into the chain: its content, its place in the batch and its digest. */
export interface LinkableEvent extends AuditContent {
  n: number;
  digest: string;
}

export type AuditFilter = Omit<AuditQuery, 'limit' | 'cursor'>;

function filters(query: AuditFilter, scope: OrganisationScope): (SQL | undefined)[] {
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

/** The hash-chained audit log: appending to its head, reading it back. */
export const auditRepository = {
  /**
   * One statement locks the chain's head, links the events to it and to each other
   * (PostgreSQL computes each hash, see linkHash) and moves the head: the lock is held
   * for that statement and the commit, never across a round trip. Answers how many
   * links the chain has (the head and the events); fewer means no head row.
   */
  async link(tx: Executor, events: LinkableEvent[], alongside: AuditedChange[]): Promise<number> {
    const changes = alongside.map((statement, i) => sql`${sql.raw(`change_${i}`)} as (${statement}),`);
    const result = (await tx.execute(sql`
    with recursive ${sql.join(changes, sql` `)}
    input as (
      select * from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as r(
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
    return Number(result.rows[0]?.linked);
  },

  /** Events in chain order from `afterSeq` on, a batch at a time. */
  eventsAfter(db: Executor, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return db.select().from(auditEvents).where(gt(auditEvents.seq, afterSeq)).orderBy(asc(auditEvents.seq)).limit(limit);
  },

  async head(db: Executor): Promise<{ seq: number; hash: string } | null> {
    const [head] = await db.select({ seq: auditHead.seq, hash: auditHead.hash }).from(auditHead).where(eq(auditHead.id, 1));
    return head ?? null;
  },

  /** Matching events, newest first, older than `beforeSeq` when given. */
  newest(db: Executor, query: AuditFilter, scope: OrganisationScope, beforeSeq: number | undefined, limit: number): Promise<AuditRow[]> {
    return db
      .select()
      .from(auditEvents)
      .where(and(...filters(query, scope), beforeSeq !== undefined ? lt(auditEvents.seq, beforeSeq) : undefined))
      .orderBy(desc(auditEvents.seq))
      .limit(limit);
  },

  /** Matching events, oldest first, after `afterSeq`. */
  oldest(db: Executor, query: AuditFilter, scope: OrganisationScope, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return db
      .select()
      .from(auditEvents)
      .where(and(...filters(query, scope), gt(auditEvents.seq, afterSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(limit);
  },
};
