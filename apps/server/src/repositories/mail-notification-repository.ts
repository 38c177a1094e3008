import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, organisations, plans, products, users } from '../db/schema.js';

/** The names and addresses a notification mail shows. */
export const mailNotificationRepository = {
  async organisationName(db: Executor, organisationId: string): Promise<string | null> {
    const [org] = await db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, organisationId));
    return org?.name ?? null;
  },

  /** Who sent an invitation: the inviter's name and e-mail address; null for no such user. */
  async inviter(db: Executor, userId: string): Promise<{ name: string | null; email: string | null } | null> {
    const [inviter] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
    return inviter ?? null;
  },

  /** What a license key's mail says about its license; null for no such license. */
  async licenseFacts(db: Executor, licenseId: string): Promise<{ organisation: string; product: string; plan: string; expiresAt: Date | null } | null> {
    const [row] = await db
      .select({ organisation: organisations.name, product: products.name, plan: plans.name, expiresAt: licenses.expiresAt })
      .from(licenses)
      .innerJoin(organisations, eq(organisations.id, licenses.organisationId))
      .innerJoin(products, eq(products.id, licenses.productId))
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(eq(licenses.id, licenseId));
    return row ?? null;
  },
};
