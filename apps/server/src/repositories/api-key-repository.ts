import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { apiKeys, auditHead } from '../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Vendor API keys, stored by the hash of their secret. */
export const apiKeyRepository = {
  async insert(db: Executor, row: ApiKeyRow): Promise<void> {
    await db.insert(apiKeys).values(row);
  },

  async count(db: Executor): Promise<number> {
    const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(apiKeys);
    return Number(count);
  },

  /**
   * Makes the transaction wait for any other creating the first key, by locking the
   * audit chain's head row (`for update`) that every audited change takes anyway.
   */
  async serialiseFirstKey(tx: Executor): Promise<void> {
    await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
  },

  /** Up to `limit` keys in ID order after `cursor`, revoked ones too. */
  async page(db: Executor, query: { limit: number; cursor?: string | undefined }): Promise<ApiKeyRow[]> {
    return db
      .select()
      .from(apiKeys)
      .where(query.cursor ? gt(apiKeys.id, query.cursor) : undefined)
      .orderBy(asc(apiKeys.id))
      .limit(query.limit);
  },

  /** Revokes a key not yet revoked; null when there is none such. */
  async revoke(db: Executor, id: string, now: Date): Promise<ApiKeyRow | null> {
    const [row] = await db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return row ?? null;
  },

  async findBySecretHash(db: Executor, secretHash: string): Promise<ApiKeyRow | null> {
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.secretHash, secretHash));
    return row ?? null;
  },

  async recordUse(db: Executor, id: string, now: Date): Promise<void> {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
  },
};
