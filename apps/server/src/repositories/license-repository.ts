import { and, asc, eq, gt, lt, lte } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, plans, products } from '../db/schema.js';

export type LicenseRow = typeof licenses.$inferSelect;
export type LicenseStatus = LicenseRow['status'];
type PlanRow = typeof plans.$inferSelect;

/** A license with the plan it is sold under, whose terms it inherits unless it overrides them. */
export interface LicenseWithPlan {
  license: LicenseRow;
  plan: PlanRow;
}

/** Which licenses a list shows: every field set must match. */
export interface LicenseFilter {
  /** The caller's organisation, when it is scoped to one. */
  scopedTo?: string | null | undefined;
  organisationId?: string | undefined;
  productId?: string | undefined;
  planId?: string | undefined;
  status?: LicenseStatus | undefined;
  expiresBefore?: Date | undefined;
}

/** Licenses, their plans as a license reads them, and their keys (stored as hashes). */
export const licenseRepository = {
  async insert(db: Executor, row: LicenseRow): Promise<void> {
    await db.insert(licenses).values(row);
  },

  /** Up to `limit` licenses the filter selects, in ID order after `cursor`, each with its plan. */
  async pageWithPlans(db: Executor, f: LicenseFilter, page: { limit: number; cursor?: string | undefined }): Promise<LicenseWithPlan[]> {
    const where = [
      page.cursor ? gt(licenses.id, page.cursor) : undefined,
      f.scopedTo ? eq(licenses.organisationId, f.scopedTo) : undefined,
      f.organisationId ? eq(licenses.organisationId, f.organisationId) : undefined,
      f.productId ? eq(licenses.productId, f.productId) : undefined,
      f.planId ? eq(licenses.planId, f.planId) : undefined,
      f.status ? eq(licenses.status, f.status) : undefined,
      f.expiresBefore ? lt(licenses.expiresAt, f.expiresBefore) : undefined,
    ];
    return db
      .select({ license: licenses, plan: plans })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(and(...where))
      .orderBy(asc(licenses.id))
      .limit(page.limit);
  },

  async findWithPlan(db: Executor, id: string): Promise<LicenseWithPlan | null> {
    const [row] = await db.select({ license: licenses, plan: plans }).from(licenses).innerJoin(plans, eq(plans.id, licenses.planId)).where(eq(licenses.id, id));
    return row ?? null;
  },

  /** As `findWithPlan`, locking the license row (`for update`) until the transaction ends. */
  async lockWithPlan(tx: Executor, id: string): Promise<LicenseWithPlan | null> {
    const [row] = await tx
      .select({ license: licenses, plan: plans })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(eq(licenses.id, id))
      .for('update', { of: licenses });
    return row ?? null;
  },

  /** Who a license belongs to, without its terms. */
  async findOwner(db: Executor, id: string): Promise<{ id: string; organisationId: string } | null> {
    const [row] = await db.select({ id: licenses.id, organisationId: licenses.organisationId }).from(licenses).where(eq(licenses.id, id));
    return row ?? null;
  },

  /** The license of this product whose key has this hash. */
  async findIdByKey(db: Executor, productCode: string, keyHash: string): Promise<string | null> {
    const [row] = await db
      .select({ id: licenses.id })
      .from(licenses)
      .innerJoin(products, eq(products.id, licenses.productId))
      .where(and(eq(licenses.keyHash, keyHash), eq(products.code, productCode)));
    return row?.id ?? null;
  },

  async update(db: Executor, id: string, changes: Partial<LicenseRow>): Promise<void> {
    await db.update(licenses).set(changes).where(eq(licenses.id, id));
  },

  /** Marks active licenses whose expiry has come as expired; returns them. */
  async expireDue(db: Executor, now: Date): Promise<{ id: string; organisationId: string; expiresAt: Date | null }[]> {
    return db
      .update(licenses)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(licenses.status, 'active'), lte(licenses.expiresAt, now)))
      .returning({ id: licenses.id, organisationId: licenses.organisationId, expiresAt: licenses.expiresAt });
  },
};
