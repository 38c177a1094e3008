import { newId } from '@leasehold/protocol/ids';
import type { Me } from '@leasehold/protocol/schemas';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { membershipRepository } from '../repositories/membership-repository.js';
import { userRepository } from '../repositories/user-repository.js';
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
    const known = await userRepository.findIdentity(this.deps.db, profile.provider, profile.subject);
    if (known && !tenant) return known.userId;
    if (known && tenant && (await userRepository.isTenantMember(this.deps.db, known.userId, tenant.issuer, tenant.tenant))) return known.userId;
    return this.signIn(profile, ctx, tenant);
  }

  #signIn(profile: ExternalProfile, ctx: RequestContext, tenant: Tenant | null): Promise<string> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const audit: AuditEntry[] = [];
      const known = await userRepository.findIdentity(tx, profile.provider, profile.subject);
      let userId: string;
      if (known) {
        userId = known.userId;
        await userRepository.touchIdentity(tx, known.id, now);
      } else {
        const linked = profile.emailVerified && profile.email ? await userRepository.findVerifiedIdByEmail(tx, profile.email) : null;
        userId = linked ?? (await this.#createUser(tx, profile, now, audit, tenant === null));
        const identityId = newId('identity', now.getTime());
        await userRepository.insertIdentity(tx, {
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

  async #createUser(tx: Tx, profile: ExternalProfile, now: Date, audit: AuditEntry[], personalOrganisation: boolean): Promise<string> {
    const userId = newId('user', now.getTime());
    // Only a verified address is kept on the user: it is what later links other accounts.
    const email = profile.emailVerified ? profile.email : null;
    await userRepository.insertUser(tx, { id: userId, email, emailVerified: email !== null, name: profile.name, createdAt: now, updatedAt: now });
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
    await userRepository.insertOrganisation(tx, { id, name, metadata, createdAt: now, updatedAt: now });
    audit.push({ action: 'organisation.created', organisationId: id, targetType: 'organisation', targetId: id, data: { name } });
    return id;
  }

  async #addMember(tx: Tx, organisationId: string, userId: string, role: 'owner' | 'admin' | 'member', now: Date, audit: AuditEntry[]) {
    const id = newId('membership', now.getTime());
    await membershipRepository.insert(tx, { id, organisationId, userId, role, createdAt: now });
    audit.push({ action: 'membership.created', organisationId, targetType: 'user', targetId: userId, data: { role } });
  }

  /** The first person of a tenant founds its organisation and owns it; later ones join as members. */
  async #joinTenant(tx: Tx, userId: string, tenant: Tenant, now: Date, audit: AuditEntry[]) {
    const linkedOrganisationId = await userRepository.findTenantOrganisationId(tx, tenant.issuer, tenant.tenant);
    if (!linkedOrganisationId) {
      const organisationId = await this.#createOrganisation(tx, tenant.tenant.slice(0, 200), { tenant: tenant.tenant, issuer: tenant.issuer }, now, audit);
      await userRepository.insertTenantLink(tx, { issuer: tenant.issuer, tenant: tenant.tenant, organisationId, createdAt: now });
      await this.#addMember(tx, organisationId, userId, 'owner', now, audit);
      return;
    }
    const member = await membershipRepository.find(tx, linkedOrganisationId, userId);
    if (!member) await this.#addMember(tx, linkedOrganisationId, userId, 'member', now, audit);
  }

  /** The signed-in person and their organisations. */
  async me(userId: string): Promise<Me> {
    const user = await userRepository.findById(this.deps.db, userId);
    if (!user) throw new LeaseholdError('TOKEN_INVALID', 'The user of this token no longer exists.');
    const rows = await userRepository.organisationsOf(this.deps.db, userId);
    return {
      user: { id: user.id, email: user.email, emailVerified: user.emailVerified, name: user.name, createdAt: user.createdAt.toISOString() },
      memberships: rows.map((r) => ({ ...r, since: r.since.toISOString() })),
    };
  }

  /** Tells whether a user exists (tokens outlive nothing: a removed user's tokens stop working). */
  async exists(userId: string): Promise<boolean> {
    return userRepository.exists(this.deps.db, userId);
  }
}
