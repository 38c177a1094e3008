import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { sessions, users } from '../db/schema.js';

export type SessionRow = typeof sessions.$inferSelect;

/** Which live sessions a list shows: every field set must match. */
export interface LiveSessionFilter {
  /** The caller's organisation, when it is scoped to one. */
  scopedTo?: string | null | undefined;
  licenseId?: string | undefined;
  organisationId?: string | undefined;
  userId?: string | undefined;
}

/** Session rows as the admin view and the licensing checks read them; the seat stores write them. */
export const sessionRepository = {
  /** Up to `limit` sessions not ended and not expired at `now`, in ID order after `cursor`. */
  async pageOfLive(db: Executor, f: LiveSessionFilter, page: { limit: number; cursor?: string | undefined }, now: Date): Promise<SessionRow[]> {
    return db
      .select()
      .from(sessions)
      .where(
        and(
          isNull(sessions.endedAt),
          gt(sessions.expiresAt, now),
          page.cursor ? gt(sessions.id, page.cursor) : undefined,
          f.licenseId ? eq(sessions.licenseId, f.licenseId) : undefined,
          f.organisationId ? eq(sessions.organisationId, f.organisationId) : undefined,
          f.userId ? eq(sessions.userId, f.userId) : undefined,
          f.scopedTo ? eq(sessions.organisationId, f.scopedTo) : undefined,
        ),
      )
      .orderBy(asc(sessions.id))
      .limit(page.limit);
  },

  /** The e-mail addresses of signed-in holders, by user ID. */
  async holderEmails(db: Executor, userIds: string[]): Promise<Map<string, string | null>> {
    const found = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds));
    return new Map(found.map((u) => [u.id, u.email]));
  },

  /** Who held a session: its machine, person and host. */
  async findHolder(db: Executor, sessionId: string): Promise<{ fingerprint: string; userId: string | null; hostname: string | null } | null> {
    const [row] = await db
      .select({ fingerprint: sessions.fingerprint, userId: sessions.userId, hostname: sessions.hostname })
      .from(sessions)
      .where(eq(sessions.id, sessionId));
    return row ?? null;
  },

  /** Whether and how a session ended, and until when its lease ran. */
  async findEnd(db: Executor, sessionId: string): Promise<{ endedAt: Date | null; expiresAt: Date; endReason: string | null } | null> {
    const [row] = await db
      .select({ endedAt: sessions.endedAt, expiresAt: sessions.expiresAt, endReason: sessions.endReason })
      .from(sessions)
      .where(eq(sessions.id, sessionId))
      .limit(1);
    return row ?? null;
  },
};
