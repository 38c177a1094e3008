import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { adminSessions, apiKeys } from '../db/schema.js';

/** Dashboard sessions opened with an admin API key, stored by the hash of their secret. */
export const adminSessionRepository = {
  async insert(db: Executor, row: { id: string; apiKeyId: string; secretHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await db.insert(adminSessions).values(row);
  },

  /** The key behind a live session: not revoked, not expired, and its key not revoked either. */
  async findLiveKey(db: Executor, secretHash: string, now: Date) {
    const [row] = await db
      .select({ id: apiKeys.id, scopes: apiKeys.scopes, organisationId: apiKeys.organisationId })
      .from(adminSessions)
      .innerJoin(apiKeys, eq(apiKeys.id, adminSessions.apiKeyId))
      .where(and(eq(adminSessions.secretHash, secretHash), isNull(adminSessions.revokedAt), gt(adminSessions.expiresAt, now), isNull(apiKeys.revokedAt)));
    return row ?? null;
  },

  /** Revokes the session with this secret hash; null when none was still open. */
  async revoke(db: Executor, secretHash: string, now: Date): Promise<{ id: string; apiKeyId: string } | null> {
    const [row] = await db
      .update(adminSessions)
      .set({ revokedAt: now })
      .where(and(eq(adminSessions.secretHash, secretHash), isNull(adminSessions.revokedAt)))
      .returning();
    return row ? { id: row.id, apiKeyId: row.apiKeyId } : null;
  },
};
