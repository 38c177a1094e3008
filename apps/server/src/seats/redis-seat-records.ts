import { and, eq, isNull } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import { matchesHash } from '../crypto.js';
import type { Db, Executor } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { SeatTerms } from '../kernel/seat-terms.js';
import type { LiveSession, SessionRef } from './seat-store.js';

/**
 * The PostgreSQL side of the Redis seat store: the session rows and the audit
 * events recorded after Redis decided, each change with its events in one
 * transaction (as on the SQL store).
 */
export type SessionRow = typeof sessions.$inferSelect;

export async function findSession(db: Executor, ref: SessionRef): Promise<SessionRow | null> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, ref.sessionId));
  // A wrong secret answers as a missing session: session IDs are not to be probed.
  return row && matchesHash(ref.sessionSecret, row.secretHash) ? row : null;
}

/** Which clock stamped the Redis store's decisions (and their audit events): Redis `TIME`, inside the scripts. */
export const REDIS_CLOCK = 'redis';

export function sessionEvent(action: string, row: Pick<SessionRow, 'id' | 'organisationId' | 'licenseId'>, data: Record<string, unknown>): AuditEntry {
  return {
    action,
    organisationId: row.organisationId,
    targetType: 'session',
    targetId: row.id,
    data: { licenseId: row.licenseId, ...data, clock: REDIS_CLOCK },
  };
}

export function licenseEvent(action: string, terms: SeatTerms, data: Record<string, unknown>): AuditEntry {
  return {
    action,
    organisationId: terms.organisationId,
    targetType: 'license',
    targetId: terms.licenseId,
    data: { licenseId: terms.licenseId, ...data, clock: REDIS_CLOCK },
  };
}

/**
 * Ends a session in PostgreSQL unless it already ended, with its events. Answers
 * whether this call ended it.
 */
export async function endSession(
  db: Db,
  ctx: RequestContext,
  at: Date,
  row: Pick<SessionRow, 'id' | 'organisationId' | 'licenseId'>,
  end: { endedAt: Date; reason: string },
  events: (wasLive: boolean) => AuditEntry[],
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(sessions)
      .set({ endedAt: end.endedAt, endReason: end.reason })
      .where(and(eq(sessions.id, row.id), isNull(sessions.endedAt)))
      .returning({ id: sessions.id });
    await appendAudit(tx, ctx, at, events(ended.length > 0));
    return ended.length > 0;
  });
}

/** A live session as the licensing service needs it, from what Redis answered. */
export function liveSession(
  terms: SeatTerms,
  s: {
    sessionId: string;
    userId: string | null;
    fingerprint: string;
    startedAt: Date;
    now: Date;
    expiresAt: Date;
    borrowedUntil: Date | null;
    leaseToken: string;
  },
): LiveSession {
  return {
    sessionId: s.sessionId,
    userId: s.userId,
    fingerprint: s.fingerprint,
    startedAt: s.startedAt,
    lastHeartbeatAt: s.now,
    expiresAt: s.expiresAt,
    borrowedUntil: s.borrowedUntil,
    terms,
    leaseToken: s.leaseToken,
  };
}

/** A secret's SHA-256 as Redis keeps it: its 32 raw bytes (hex in PostgreSQL, in answers, and to the scripts that check a secret). */
export const rawDigest = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** Redis stores absent values as '' (strings) or 0 (times). */
export const orNull = (v: unknown): string | null => (v === '' || v === undefined || v === null || v === false ? null : String(v));
export const dateOrNull = (v: unknown): Date | null => {
  const ms = Number(v);
  return v === '' || v === false || v === null || !Number.isFinite(ms) || ms <= 0 ? null : new Date(ms);
};
