import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { refreshTokens } from '../db/schema.js';

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

/** Refresh tokens, stored by the hash of their secret, in families that are revoked together. */
export const refreshTokenRepository = {
  async insert(db: Executor, row: typeof refreshTokens.$inferInsert): Promise<void> {
    await db.insert(refreshTokens).values(row);
  },

  async findByTokenHash(db: Executor, tokenHash: string): Promise<RefreshTokenRow | null> {
    const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    return row ?? null;
  },

  /** As findByTokenHash, locked until the caller's transaction ends, so a token is spent once. */
  async lockByTokenHash(db: Executor, tokenHash: string): Promise<RefreshTokenRow | null> {
    const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).for('update');
    return row ?? null;
  },

  async markUsed(db: Executor, id: string, now: Date): Promise<void> {
    await db.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, id));
  },

  /** Revokes the family's tokens not yet revoked; returns how many were. */
  async revokeFamily(db: Executor, familyId: string, now: Date): Promise<number> {
    const rows = await db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length;
  },

  /** Deletes the tokens that expired before the cutoff; returns how many. */
  async deleteExpiredBefore(db: Executor, cutoff: Date): Promise<number> {
    const rows = await db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, cutoff)).returning({ id: refreshTokens.id });
    return rows.length;
  },
};
