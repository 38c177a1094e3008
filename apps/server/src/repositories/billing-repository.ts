import { and, eq, lte } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, organisations, plans, stripeEvents, users } from '../db/schema.js';

export type BilledLicenseRow = typeof licenses.$inferSelect;
export type BilledOrganisationRow = typeof organisations.$inferSelect;
export type SoldPlanRow = typeof plans.$inferSelect;

/** What billing reads and writes: the Stripe events seen, and the organisations, plans and licenses they change. */
export const billingRepository = {
  /** Records a Stripe event as being processed; false when its ID was already recorded (a redelivery). */
  async recordEventOnce(db: Executor, event: { id: string; type: string; createdAt: Date; receivedAt: Date }): Promise<boolean> {
    const [fresh] = await db
      .insert(stripeEvents)
      .values({ ...event, outcome: 'processing' })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    return fresh !== undefined;
  },

  async setEventOutcome(db: Executor, eventId: string, outcome: string, licenseId: string | null): Promise<void> {
    await db.update(stripeEvents).set({ outcome, licenseId }).where(eq(stripeEvents.id, eventId));
  },

  async organisationIdOfCustomer(db: Executor, customerId: string): Promise<string | null> {
    const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.stripeCustomerId, customerId));
    return row?.id ?? null;
  },

  async findOrganisation(db: Executor, organisationId: string): Promise<BilledOrganisationRow | null> {
    const [row] = await db.select().from(organisations).where(eq(organisations.id, organisationId));
    return row ?? null;
  },

  async linkCustomer(db: Executor, organisationId: string, customerId: string, now: Date): Promise<void> {
    await db.update(organisations).set({ stripeCustomerId: customerId, updatedAt: now }).where(eq(organisations.id, organisationId));
  },

  async insertOrganisation(db: Executor, row: typeof organisations.$inferInsert): Promise<void> {
    await db.insert(organisations).values(row);
  },

  async findPlan(db: Executor, planId: string): Promise<SoldPlanRow | null> {
    const [row] = await db.select().from(plans).where(eq(plans.id, planId));
    return row ?? null;
  },

  /** The plan a Stripe price is mapped to. */
  async planOfPrice(db: Executor, priceId: string): Promise<SoldPlanRow | null> {
    const [row] = await db.select().from(plans).where(eq(plans.stripePriceId, priceId));
    return row ?? null;
  },

  /** The license of a subscription, locked until the transaction ends. */
  async lockLicenseOfSubscription(db: Executor, subscriptionId: string): Promise<BilledLicenseRow | null> {
    const [row] = await db.select().from(licenses).where(eq(licenses.stripeSubscriptionId, subscriptionId)).for('update');
    return row ?? null;
  },

  async insertLicense(db: Executor, row: typeof licenses.$inferInsert): Promise<void> {
    await db.insert(licenses).values(row);
  },

  async updateLicense(db: Executor, licenseId: string, changes: Partial<BilledLicenseRow>): Promise<void> {
    await db.update(licenses).set(changes).where(eq(licenses.id, licenseId));
  },

  /** Active licenses whose payment failed at or before the cutoff, locked; those another transaction holds are skipped. */
  async lockOverdue(db: Executor, cutoff: Date): Promise<BilledLicenseRow[]> {
    return db
      .select()
      .from(licenses)
      .where(and(eq(licenses.status, 'active'), lte(licenses.paymentFailedAt, cutoff)))
      .for('update', { skipLocked: true });
  },

  /** A buyer's e-mail address and whether it was verified; null for no such user. */
  async buyerEmail(db: Executor, userId: string): Promise<{ email: string | null; verified: boolean } | null> {
    const [user] = await db.select({ email: users.email, verified: users.emailVerified }).from(users).where(eq(users.id, userId));
    return user ?? null;
  },
};
