import { eq } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { users } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';

/**
 * The staff role: a person the vendor trusts with the dashboard's vendor views.
 * Granted and withdrawn only with an admin API key or the operator CLI.
 */
export class StaffService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async isStaff(userId: string): Promise<boolean> {
    const [row] = await this.deps.db.select({ staff: users.staff }).from(users).where(eq(users.id, userId));
    return row?.staff ?? false;
  }

  /** Sets the role of the user with this ID or verified e-mail address. */
  async set(who: { userId?: string | undefined; email?: string | undefined }, staff: boolean, ctx: RequestContext) {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const where = who.userId ? eq(users.id, who.userId) : eq(users.email, who.email ?? '');
      const [row] = await tx.update(users).set({ staff, updatedAt: now }).where(where).returning();
      if (!row) throw notFound('user', who.userId ?? who.email ?? '');
      await appendAudit(tx, ctx, now, [{ action: staff ? 'user.staff-granted' : 'user.staff-revoked', targetType: 'user', targetId: row.id, data: {} }]);
      return { userId: row.id, email: row.email, staff: row.staff };
    });
  }
}
