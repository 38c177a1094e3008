import { and, eq, gt, isNotNull, lte, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, mailReminders, organisations, products } from '../db/schema.js';

export type ReminderKind = (typeof mailReminders.$inferInsert)['kind'];

/** An active license a reminder may be about, with the names its mail shows. */
export interface RemindableLicense {
  id: string;
  organisationId: string;
  organisation: string;
  product: string;
  expiresAt: Date | null;
  paymentFailedAt: Date | null;
}

function activeLicenses(db: Executor, extra: SQL | undefined): Promise<RemindableLicense[]> {
  return db
    .select({
      id: licenses.id,
      organisationId: licenses.organisationId,
      organisation: organisations.name,
      product: products.name,
      expiresAt: licenses.expiresAt,
      paymentFailedAt: licenses.paymentFailedAt,
    })
    .from(licenses)
    .innerJoin(organisations, eq(organisations.id, licenses.organisationId))
    .innerJoin(products, eq(products.id, licenses.productId))
    .where(and(eq(licenses.status, 'active'), extra));
}

/** The licenses reminders are due about, and the record of each reminder sent. */
export const mailReminderRepository = {
  /** Active licenses expiring after `after`, up to and including `upTo`. */
  async activeExpiringBetween(db: Executor, after: Date, upTo: Date): Promise<RemindableLicense[]> {
    return activeLicenses(db, and(gt(licenses.expiresAt, after), lte(licenses.expiresAt, upTo)));
  },

  /** Active licenses whose payment failed (and was not paid since). */
  async activeWithPaymentFailed(db: Executor): Promise<RemindableLicense[]> {
    return activeLicenses(db, and(isNotNull(licenses.paymentFailedAt)));
  },

  /** Records the reminder of this kind about this license and moment; false when it was already sent. */
  async claim(db: Executor, reminder: { licenseId: string; kind: ReminderKind; about: Date; sentAt: Date }): Promise<boolean> {
    const [claimed] = await db.insert(mailReminders).values(reminder).onConflictDoNothing().returning();
    return claimed !== undefined;
  },
};
