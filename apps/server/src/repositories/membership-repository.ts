import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { invitations, memberships, users } from '../db/schema.js';

export type MembershipRow = typeof memberships.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
type Role = MembershipRow['role'];
export interface MemberRow {
  userId: string;
  email: string | null;
  name: string | null;
  role: Role;
  since: Date;
}

function members(db: Executor, organisationId: string, where: SQL | undefined) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), where))
    .$dynamic();
}

/** Who belongs to which organisation in what role, and the invitations to join. */
export const membershipRepository = {
  async find(db: Executor, organisationId: string, userId: string): Promise<MembershipRow | null> {
    const [row] = await db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
    return row ?? null;
  },

  async organisationIdsOf(db: Executor, userId: string): Promise<string[]> {
    const rows = await db.select({ id: memberships.organisationId }).from(memberships).where(eq(memberships.userId, userId));
    return rows.map((r) => r.id);
  },

  /** Up to `limit` members after the cursor, in the order of their user IDs (the unique index on organisation and user serves it). */
  async listMembers(db: Executor, organisationId: string, limit: number, afterUserId: string | undefined): Promise<MemberRow[]> {
    return members(db, organisationId, afterUserId ? gt(users.id, afterUserId) : undefined)
      .orderBy(asc(memberships.userId))
      .limit(limit);
  },

  async findMember(db: Executor, organisationId: string, userId: string): Promise<MemberRow | null> {
    const [row] = await members(db, organisationId, eq(users.id, userId));
    return row ?? null;
  },

  /** Every membership of the organisation, locked until the caller's transaction ends: role changes see one another. */
  async lockMembers(db: Executor, organisationId: string): Promise<MembershipRow[]> {
    return db.select().from(memberships).where(eq(memberships.organisationId, organisationId)).for('update');
  },

  async insert(db: Executor, row: typeof memberships.$inferInsert): Promise<void> {
    await db.insert(memberships).values(row);
  },

  async setRole(db: Executor, membershipId: string, role: Role): Promise<void> {
    await db.update(memberships).set({ role }).where(eq(memberships.id, membershipId));
  },

  async delete(db: Executor, membershipId: string): Promise<void> {
    await db.delete(memberships).where(eq(memberships.id, membershipId));
  },

  async insertInvitation(db: Executor, row: InvitationRow): Promise<void> {
    await db.insert(invitations).values(row);
  },

  async listInvitations(db: Executor, organisationId: string): Promise<InvitationRow[]> {
    return db.select().from(invitations).where(eq(invitations.organisationId, organisationId)).orderBy(asc(invitations.id));
  },

  /** Revokes the invitation if it is the organisation's; null when it is not. */
  async revokeInvitation(db: Executor, organisationId: string, invitationId: string, now: Date): Promise<InvitationRow | null> {
    const [row] = await db
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.id, invitationId), eq(invitations.organisationId, organisationId)))
      .returning();
    return row ?? null;
  },

  /** The invitation with this token hash, locked until the caller's transaction ends, so it is spent once. */
  async lockInvitationByTokenHash(db: Executor, tokenHash: string): Promise<InvitationRow | null> {
    const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).for('update');
    return row ?? null;
  },

  async markInvitationAccepted(db: Executor, invitationId: string, userId: string, now: Date): Promise<void> {
    await db.update(invitations).set({ acceptedAt: now, acceptedBy: userId }).where(eq(invitations.id, invitationId));
  },
};
