import { and, eq, isNotNull } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { memberships, users } from '../db/schema.js';

/** The owners of an organisation, read for whom to write to. */
export const ownerRepository = {
  async ownerEmails(db: Executor, organisationId: string): Promise<string[]> {
    const rows = await db
      .select({ email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'owner'), isNotNull(users.email)));
    return rows.map((r) => r.email).filter((e): e is string => e !== null);
  },
};
