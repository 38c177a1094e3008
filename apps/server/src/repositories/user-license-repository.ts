import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, memberships, products } from '../db/schema.js';

/** The licenses a signed-in person may take a seat from: those of the organisations they belong to. */
export const userLicenseRepository = {
  /** The user's organisations' licenses of the product (only the named one, if given), in the order of their IDs. */
  async findForProduct(db: Executor, userId: string, productCode: string, licenseId: string | undefined) {
    return db
      .select({ id: licenses.id, status: licenses.status })
      .from(licenses)
      .innerJoin(products, eq(products.id, licenses.productId))
      .where(
        and(
          eq(products.code, productCode),
          inArray(licenses.organisationId, db.select({ id: memberships.organisationId }).from(memberships).where(eq(memberships.userId, userId))),
          licenseId ? eq(licenses.id, licenseId) : undefined,
        ),
      )
      .orderBy(asc(licenses.id));
  },
};
