import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { loginStates, webSessions } from '../db/schema.js';

export type LoginStateRow = typeof loginStates.$inferSelect;
export type WebSessionRow = typeof webSessions.$inferSelect;

/** Browser sign-in: the single-use states of the authorization code flow, and the web sessions it opens. */
export const signInRepository = {
  async insertLoginState(db: Executor, row: typeof loginStates.$inferInsert): Promise<void> {
    await db.insert(loginStates).values(row);
  },

  /** Spends the live, unspent state with this hash in one statement, so two callbacks cannot both have it; null when none. */
  async consumeLoginState(db: Executor, stateHash: string, now: Date): Promise<LoginStateRow | null> {
    const [row] = await db
      .update(loginStates)
      .set({ consumedAt: now })
      .where(and(eq(loginStates.stateHash, stateHash), isNull(loginStates.consumedAt), gt(loginStates.expiresAt, now)))
      .returning();
    return row ?? null;
  },

  async deleteLoginStatesExpiredBefore(db: Executor, cutoff: Date): Promise<number> {
    const rows = await db.delete(loginStates).where(lt(loginStates.expiresAt, cutoff)).returning({ id: loginStates.id });
    return rows.length;
  },

  async insertWebSession(db: Executor, row: typeof webSessions.$inferInsert): Promise<void> {
    await db.insert(webSessions).values(row);
  },

  /** The user of the live (not revoked, not expired) session with this secret hash, or null. */
  async findLiveSessionUser(db: Executor, secretHash: string, now: Date): Promise<string | null> {
    const [row] = await db
      .select({ userId: webSessions.userId })
      .from(webSessions)
      .where(and(eq(webSessions.secretHash, secretHash), isNull(webSessions.revokedAt), gt(webSessions.expiresAt, now)));
    return row?.userId ?? null;
  },

  /** Revokes the session with this secret hash; null when none was still open. */
  async revokeWebSession(db: Executor, secretHash: string, now: Date): Promise<WebSessionRow | null> {
    const [row] = await db
      .update(webSessions)
      .set({ revokedAt: now })
      .where(and(eq(webSessions.secretHash, secretHash), isNull(webSessions.revokedAt)))
      .returning();
    return row ?? null;
  },

  async deleteWebSessionsExpiredBefore(db: Executor, cutoff: Date): Promise<number> {
    const rows = await db.delete(webSessions).where(lt(webSessions.expiresAt, cutoff)).returning({ id: webSessions.id });
    return rows.length;
  },
};
