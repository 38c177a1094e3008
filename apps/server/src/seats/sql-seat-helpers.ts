import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { AuditEntry } from '../audit/audit-log.js';
import { matchesHash } from '../crypto.js';
import type { Executor } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { SeatTerms } from '../kernel/seat-terms.js';
import type { LiveSession, SeatHolder, SessionRef } from './seat-store.js';

/** Queries and shapes the SQL seat store's acquire, heartbeat and release share. */
export type SessionRow = typeof sessions.$inferSelect;

export async function findSession(tx: Executor, ref: SessionRef): Promise<SessionRow | null> {
  const [row] = await tx.select().from(sessions).where(eq(sessions.id, ref.sessionId));
  // A wrong secret answers as a missing session: session IDs are not to be probed.
  return row && matchesHash(ref.sessionSecret, row.secretHash) ? row : null;
}

/**
 * Stores tokens signed after a commit on their sessions, with when each is due for
 * renewal, in one statement; a session that ended meanwhile keeps none. Grants and
 * heartbeats both store through here.
 */
export async function storeLeaseTokens(db: Executor, stored: { id: string; token: string; renewAt: Date }[]): Promise<void> {
  if (stored.length === 0) return;
  const rows = stored.map((s) => ({ id: s.id, token: s.token, renewAt: s.renewAt.toISOString() }));
  await db.execute(sql`
    update sessions set lease_token = v.token, lease_token_renew_at = v."renewAt"
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, token text, "renewAt" timestamptz)
    where sessions.id = v.id and sessions.ended_at is null`);
}

/** Live seats of a license (distinct basis keys) and whether `key` already holds one. */
export async function countLive(tx: Executor, licenseId: string, key: string, now: Date, excludeSessionId?: string) {
  const [row] = await tx
    .select({
      used: sql<number>`count(distinct ${sessions.basisKey})::int`,
      mine: sql<boolean>`coalesce(bool_or(${sessions.basisKey} = ${key}), false)`,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.licenseId, licenseId),
        isNull(sessions.endedAt),
        gt(sessions.expiresAt, now),
        excludeSessionId ? sql`${sessions.id} <> ${excludeSessionId}` : undefined,
      ),
    );
  return { used: Number(row?.used ?? 0), mine: Boolean(row?.mine) };
}

/** Who holds the seats, soonest to free first (at most ten), for a refused caller. */
export async function liveHolders(tx: Executor, licenseId: string, now: Date): Promise<SeatHolder[]> {
  const rows = await tx
    .select({
      hostname: sql<string | null>`max(${sessions.hostname})`,
      userId: sql<string | null>`max(${sessions.userId})`,
      since: sql<string>`min(${sessions.startedAt})`,
      expiresAt: sql<string>`max(${sessions.expiresAt})`,
    })
    .from(sessions)
    .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, now)))
    .groupBy(sessions.basisKey)
    .orderBy(sql`max(${sessions.expiresAt})`)
    .limit(10);
  return rows.map((r) => ({ hostname: r.hostname, userId: r.userId, since: new Date(r.since), expiresAt: new Date(r.expiresAt) }));
}

/** Which clock stamped the SQL store's decisions (and their audit events): PostgreSQL's (see StoreClock). */
export const SQL_CLOCK = 'postgres';

export function sessionEvent(action: string, row: SessionRow, data: Record<string, unknown>): AuditEntry {
  return { action, organisationId: row.organisationId, targetType: 'session', targetId: row.id, data: { licenseId: row.licenseId, ...data, clock: SQL_CLOCK } };
}

export interface SessionFacts {
  sessionId: string;
  userId: string | null;
  fingerprint: string;
  expiresAt: Date;
  borrowedUntil: Date | null;
}

export function asFacts(row: Pick<SessionRow, 'id' | 'userId' | 'fingerprint' | 'expiresAt' | 'borrowedUntil'>): SessionFacts {
  return { sessionId: row.id, userId: row.userId, fingerprint: row.fingerprint, expiresAt: row.expiresAt, borrowedUntil: row.borrowedUntil };
}

export function toLive(
  row: Pick<SessionRow, 'id' | 'userId' | 'fingerprint' | 'startedAt' | 'borrowedUntil'>,
  terms: SeatTerms,
  changes: { lastHeartbeatAt: Date; expiresAt: Date; leaseToken: string; borrowedUntil?: Date | null },
): LiveSession {
  return {
    sessionId: row.id,
    userId: row.userId,
    fingerprint: row.fingerprint,
    startedAt: row.startedAt,
    lastHeartbeatAt: changes.lastHeartbeatAt,
    expiresAt: changes.expiresAt,
    borrowedUntil: changes.borrowedUntil === undefined ? row.borrowedUntil : changes.borrowedUntil,
    terms,
    leaseToken: changes.leaseToken,
  };
}
