import { newId } from '@leasehold/protocol/ids';
import type { Me } from '@leasehold/protocol/schemas';
import { and, asc, eq } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
import { identities, memberships, organisations, tenantLinks, users } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { isUniqueViolation } from '../services/unique-violation.js';
import type { ExternalProfile } from './sign-in-provider.js';

/** Where a new user of an external issuer belongs: a tenant's organisation, or a personal one. */
export interface Tenant {
  issuer: string;
  tenant: string;
}

/**
 * People and their accounts at identity providers. The first sign-in is sign-up:
 * it creates the user and a personal organisation they own. A new provider account
 * joins an existing user only through a verified e-mail address on both sides.
 */
export class AccountService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** Finds or creates the user behind a provider account; returns the user ID. */
  async signIn(profile: ExternalProfile, ctx: RequestContext, tenant: Tenant | null = null): Promise<string> {
    try {
      return await this.#signIn(profile, ctx, tenant);
    } catch (error) {
      // Two first sign-ins of one account at once: the loser finds the winner's rows.
      if (isUniqueViolation(error)) return this.#signIn(profile, ctx, tenant);
      throw error;
    }
  }

  /**
   * For bearer tokens of the external issuer, which arrive on every request: a known
   * account (already in its tenant's organisation) is only looked up; anything else
   * goes through sign-in once.
   */
  async resolve(profile: ExternalProfile, ctx: RequestContext, tenant: Tenant | null): Promise<string> {
    const [known] = await this.deps.db
      .select({ userId: identities.userId })
      .from(identities)
      .where(and(eq(identities.provider, profile.provider), eq(identities.subject, profile.subject)));
    if (known && !tenant) return known.userId;
    if (known && tenant) {
      const [member] = await this.deps.db
        .select({ id: memberships.id })
        .from(memberships)
        .innerJoin(tenantLinks, eq(tenantLinks.organisationId, memberships.organisationId))
        .where(and(eq(memberships.userId, known.userId), eq(tenantLinks.issuer, tenant.issuer), eq(tenantLinks.tenant, tenant.tenant)));
      if (member) return known.userId;
    }
    return this.signIn(profile, ctx, tenant);
  }

  #signIn(profile: ExternalProfile, ctx: RequestContext, tenant: Tenant | null): Promise<string> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const audit: AuditEntry[] = [];
      const [known] = await tx
        .select({ id: identities.id, userId: identities.userId })
        .from(identities)
        .where(and(eq(identities.provider, profile.provider), eq(identities.subject, profile.subject)));
      let userId: string;
      if (known) {
        userId = known.userId;
        await tx.update(identities).set({ lastSignInAt: now }).where(eq(identities.id, known.id));
      } else {
        const linked = profile.emailVerified && profile.email ? await this.#verifiedUserByEmail(tx, profile.email) : null;
        userId = linked ?? (await this.#createUser(tx, profile, now, audit, tenant === null));
        const identityId = newId('identity', now.getTime());
        await tx.insert(identities).values({
          id: identityId,
          userId,
          provider: profile.provider,
          subject: profile.subject,
          email: profile.email,
          emailVerified: profile.emailVerified,
          createdAt: now,
          lastSignInAt: now,
        });
        audit.push({
          action: linked ? 'identity.linked' : 'identity.created',
          targetType: 'user',
          targetId: userId,
          data: { identityId, provider: profile.provider, subject: profile.subject, ...(linked ? { viaVerifiedEmail: profile.email } : {}) },
        });
      }
      if (tenant) await this.#joinTenant(tx, userId, tenant, now, audit);
      audit.push({ action: 'user.signed_in', targetType: 'user', targetId: userId, data: { provider: profile.provider } });
      await appendAudit(tx, { ...ctx, actor: { type: 'user', id: userId } }, now, audit);
      return userId;
    });
  }

  async #verifiedUserByEmail(tx: Tx, email: string): Promise<string | null> {
    const [row] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, email), eq(users.emailVerified, true)));
    return row?.id ?? null;
  }

  async #createUser(tx: Tx, profile: ExternalProfile, now: Date, audit: AuditEntry[], personalOrganisation: boolean): Promise<string> {
    const userId = newId('user', now.getTime());
    // Only a verified address is kept on the user: it is what later links other accounts.
    const email = profile.emailVerified ? profile.email : null;
    await tx.insert(users).values({ id: userId, email, emailVerified: email !== null, name: profile.name, createdAt: now, updatedAt: now });
    audit.push({ action: 'user.created', targetType: 'user', targetId: userId, data: { provider: profile.provider, email } });
    if (personalOrganisation) {
      const name = `${profile.name ?? email ?? 'Personal'}'s organisation`.slice(0, 200);
      const organisationId = await this.#createOrganisation(tx, name, { personal: true }, now, audit);
      await this.#addMember(tx, organisationId, userId, 'owner', now, audit);
    }
    return userId;
  }

  async #createOrganisation(tx: Tx, name: string, metadata: Record<string, unknown>, now: Date, audit: AuditEntry[]): Promise<string> {
    const id = newId('organisation', now.getTime());
    await tx.insert(organisations).values({ id, name, metadata, createdAt: now, updatedAt: now });
    audit.push({ action: 'organisation.created', organisationId: id, targetType: 'organisation', targetId: id, data: { name } });
    return id;
  }

  async #addMember(tx: Tx, organisationId: string, userId: string, role: 'owner' | 'admin' | 'member', now: Date, audit: AuditEntry[]) {
    const id = newId('membership', now.getTime());
    await tx.insert(memberships).values({ id, organisationId, userId, role, createdAt: now });
    audit.push({ action: 'membership.created', organisationId, targetType: 'user', targetId: userId, data: { role } });
  }

  /** The first person of a tenant founds its organisation and owns it; later ones join as members. */
  async #joinTenant(tx: Tx, userId: string, tenant: Tenant, now: Date, audit: AuditEntry[]) {
    const [link] = await tx
      .select({ organisationId: tenantLinks.organisationId })
      .from(tenantLinks)
      .where(and(eq(tenantLinks.issuer, tenant.issuer), eq(tenantLinks.tenant, tenant.tenant)));
    if (!link) {
      const organisationId = await this.#createOrganisation(tx, tenant.tenant.slice(0, 200), { tenant: tenant.tenant, issuer: tenant.issuer }, now, audit);
      await tx.insert(tenantLinks).values({ issuer: tenant.issuer, tenant: tenant.tenant, organisationId, createdAt: now });
      await this.#addMember(tx, organisationId, userId, 'owner', now, audit);
      return;
    }
    const [member] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.organisationId, link.organisationId), eq(memberships.userId, userId)));
    if (!member) await this.#addMember(tx, link.organisationId, userId, 'member', now, audit);
  }

  /** The signed-in person and their organisations. */
  async me(userId: string): Promise<Me> {
    const [user] = await this.deps.db.select().from(users).where(eq(users.id, userId));
    if (!user) throw new LeaseholdError('TOKEN_INVALID', 'The user of this token no longer exists.');
    const rows = await this.deps.db
      .select({ organisationId: memberships.organisationId, organisationName: organisations.name, role: memberships.role, since: memberships.createdAt })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt), asc(memberships.organisationId));
    return {
      user: { id: user.id, email: user.email, emailVerified: user.emailVerified, name: user.name, createdAt: user.createdAt.toISOString() },
      memberships: rows.map((r) => ({ ...r, since: r.since.toISOString() })),
    };
  }

  /** Tells whether a user exists (tokens outlive nothing: a removed user's tokens stop working). */
  async exists(userId: string): Promise<boolean> {
    const [row] = await this.deps.db.select({ id: users.id }).from(users).where(eq(users.id, userId));
    return row !== undefined;
  }
}
