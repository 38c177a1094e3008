import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { organisations } from '../db/schema.js';

export type OrganisationRow = typeof organisations.$inferSelect;

/** Organisations, the tenants: their rows and whether one exists. */
export const organisationRepository = {
  async insert(db: Executor, row: OrganisationRow): Promise<void> {
    await db.insert(organisations).values(row);
  },

  async exists(db: Executor, id: string): Promise<boolean> {
    const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, id));
    return row !== undefined;
  },

  async find(db: Executor, id: string): Promise<OrganisationRow | null> {
    const [row] = await db.select().from(organisations).where(eq(organisations.id, id));
    return row ?? null;
  },

  /** Up to `limit` rows in ID order after `cursor`; only `onlyId` when set. */
  async page(db: Executor, query: { limit: number; cursor?: string | undefined; onlyId?: string | null | undefined }): Promise<OrganisationRow[]> {
    return db
      .select()
      .from(organisations)
      .where(and(query.cursor ? gt(organisations.id, query.cursor) : undefined, query.onlyId ? eq(organisations.id, query.onlyId) : undefined))
      .orderBy(asc(organisations.id))
      .limit(query.limit);
  },

  /** Changes name or metadata; null when no such organisation. */
  async update(
    db: Executor,
    id: string,
    changes: { name?: string | undefined; metadata?: Record<string, unknown> | undefined },
    now: Date,
  ): Promise<OrganisationRow | null> {
    const [row] = await db
      .update(organisations)
      .set({ ...changes, updatedAt: now })
      .where(eq(organisations.id, id))
      .returning();
    return row ?? null;
  },
};
