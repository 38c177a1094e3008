import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { staffRepository } from '../repositories/staff-repository.js';

/**
 * The staff role: a person the vendor trusts with the dashboard's vendor views.
 * Granted and withdrawn only with an admin API key or the operator CLI.
 */
export class StaffService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async isStaff(userId: string): Promise<boolean> {
    return staffRepository.isStaff(this.deps.db, userId);
  }

  /** Sets the role of the user with this ID or verified e-mail address. */
  async set(who: { userId?: string | undefined; email?: string | undefined }, staff: boolean, ctx: RequestContext) {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await staffRepository.setStaff(tx, who, staff, now);
      if (!row) throw notFound('user', who.userId ?? who.email ?? '');
      await appendAudit(tx, ctx, now, [{ action: staff ? 'user.staff-granted' : 'user.staff-revoked', targetType: 'user', targetId: row.userId, data: {} }]);
      return row;
    });
  }
}
