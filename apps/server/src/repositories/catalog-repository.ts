import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { plans, products } from '../db/schema.js';

export type ProductRow = typeof products.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;

type PlanChanges = Partial<Omit<PlanRow, 'id' | 'productId' | 'code' | 'createdAt' | 'updatedAt'>>;

/** The catalogue: products and the plans they are sold under. */
export const catalogRepository = {
  async insertProduct(db: Executor, row: ProductRow): Promise<void> {
    await db.insert(products).values(row);
  },

  async findProduct(db: Executor, id: string): Promise<ProductRow | null> {
    const [row] = await db.select().from(products).where(eq(products.id, id));
    return row ?? null;
  },

  /** Up to `limit` products in ID order after `cursor`. */
  async pageOfProducts(db: Executor, query: { limit: number; cursor?: string | undefined }): Promise<ProductRow[]> {
    return db
      .select()
      .from(products)
      .where(query.cursor ? gt(products.id, query.cursor) : undefined)
      .orderBy(asc(products.id))
      .limit(query.limit);
  },

  /** Renames a product; null when no such product. */
  async updateProduct(db: Executor, id: string, changes: { name?: string | undefined }, now: Date): Promise<ProductRow | null> {
    const [row] = await db
      .update(products)
      .set({ ...changes, updatedAt: now })
      .where(eq(products.id, id))
      .returning();
    return row ?? null;
  },

  async insertPlan(db: Executor, row: PlanRow): Promise<void> {
    await db.insert(plans).values(row);
  },

  async findPlan(db: Executor, id: string): Promise<PlanRow | null> {
    const [row] = await db.select().from(plans).where(eq(plans.id, id));
    return row ?? null;
  },

  /** Up to `limit` plans in ID order after `cursor`, of one product when `productId` is set. */
  async pageOfPlans(db: Executor, query: { limit: number; cursor?: string | undefined; productId?: string | undefined }): Promise<PlanRow[]> {
    return db
      .select()
      .from(plans)
      .where(and(query.cursor ? gt(plans.id, query.cursor) : undefined, query.productId ? eq(plans.productId, query.productId) : undefined))
      .orderBy(asc(plans.id))
      .limit(query.limit);
  },

  /** Changes a plan's terms; null when no such plan. */
  async updatePlan(db: Executor, id: string, changes: PlanChanges, now: Date): Promise<PlanRow | null> {
    const [row] = await db
      .update(plans)
      .set({ ...changes, updatedAt: now })
      .where(eq(plans.id, id))
      .returning();
    return row ?? null;
  },
};
