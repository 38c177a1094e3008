import { eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { users } from '../db/schema.js';

/** The staff flag on users: the dashboard's vendor role. */
export const staffRepository = {
  async isStaff(db: Executor, userId: string): Promise<boolean> {
    const [row] = await db.select({ staff: users.staff }).from(users).where(eq(users.id, userId));
    return row?.staff ?? false;
  },

  /** Sets the flag on the user with this ID, else this e-mail address; null when no such user. */
  async setStaff(db: Executor, who: { userId?: string | undefined; email?: string | undefined }, staff: boolean, now: Date) {
    const where = who.userId ? eq(users.id, who.userId) : eq(users.email, who.email ?? '');
    const [row] = await db.update(users).set({ staff, updatedAt: now }).where(where).returning();
    return row ? { userId: row.id, email: row.email, staff: row.staff } : null;
  },
};
