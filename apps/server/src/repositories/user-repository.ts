import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { identities, memberships, organisations, tenantLinks, users } from '../db/schema.js';

export type UserRow = typeof users.$inferSelect;

/**
 * People, their accounts at identity providers, and what a first sign-in creates with
 * them: a personal or tenant organisation, its membership, the tenant's link.
 */
export const userRepository = {
  async findById(db: Executor, userId: string): Promise<UserRow | null> {
    const [row] = await db.select().from(users).where(eq(users.id, userId));
    return row ?? null;
  },

  async exists(db: Executor, userId: string): Promise<boolean> {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
    return row !== undefined;
  },

  /** The user whose verified address this is: what links a new provider account to them. */
  async findVerifiedIdByEmail(db: Executor, email: string): Promise<string | null> {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, email), eq(users.emailVerified, true)));
    return row?.id ?? null;
  },

  async insertUser(db: Executor, row: typeof users.$inferInsert): Promise<void> {
    await db.insert(users).values(row);
  },

  /** The provider account with this subject, and whose it is. */
  async findIdentity(db: Executor, provider: string, subject: string): Promise<{ id: string; userId: string } | null> {
    const [row] = await db
      .select({ id: identities.id, userId: identities.userId })
      .from(identities)
      .where(and(eq(identities.provider, provider), eq(identities.subject, subject)));
    return row ?? null;
  },

  async insertIdentity(db: Executor, row: typeof identities.$inferInsert): Promise<void> {
    await db.insert(identities).values(row);
  },

  async touchIdentity(db: Executor, identityId: string, now: Date): Promise<void> {
    await db.update(identities).set({ lastSignInAt: now }).where(eq(identities.id, identityId));
  },

  async insertOrganisation(db: Executor, row: typeof organisations.$inferInsert): Promise<void> {
    await db.insert(organisations).values(row);
  },

  /** The organisation a tenant of an external issuer founded; null before its first person. */
  async findTenantOrganisationId(db: Executor, issuer: string, tenant: string): Promise<string | null> {
    const [row] = await db
      .select({ organisationId: tenantLinks.organisationId })
      .from(tenantLinks)
      .where(and(eq(tenantLinks.issuer, issuer), eq(tenantLinks.tenant, tenant)));
    return row?.organisationId ?? null;
  },

  async insertTenantLink(db: Executor, row: typeof tenantLinks.$inferInsert): Promise<void> {
    await db.insert(tenantLinks).values(row);
  },

  /** Whether the user already belongs to the organisation of this tenant. */
  async isTenantMember(db: Executor, userId: string, issuer: string, tenant: string): Promise<boolean> {
    const [row] = await db
      .select({ id: memberships.id })
      .from(memberships)
      .innerJoin(tenantLinks, eq(tenantLinks.organisationId, memberships.organisationId))
      .where(and(eq(memberships.userId, userId), eq(tenantLinks.issuer, issuer), eq(tenantLinks.tenant, tenant)));
    return row !== undefined;
  },

  /** The user's organisations with their names, oldest membership first. */
  async organisationsOf(db: Executor, userId: string) {
    return db
      .select({ organisationId: memberships.organisationId, organisationName: organisations.name, role: memberships.role, since: memberships.createdAt })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt), asc(memberships.organisationId));
  },
};
