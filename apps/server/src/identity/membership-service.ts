import { newId } from '@leasehold/protocol/ids';
import type { CreateInvitation, Invitation, Member, Role } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type InvitationRow, type MemberRow, membershipRepository } from '../repositories/membership-repository.js';
import { userRepository } from '../repositories/user-repository.js';
import { isoOrNull, pageOf } from '../services/paging.js';

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

const memberView = (r: MemberRow): Member => ({
  ...r,
  since: r.since.toISOString(),
});

const invitationView = (r: InvitationRow): Invitation => ({
  id: r.id,
  organisationId: r.organisationId,
  role: r.role,
  email: r.email,
  invitedBy: r.invitedBy,
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt.toISOString(),
  acceptedAt: isoOrNull(r.acceptedAt),
  acceptedBy: r.acceptedBy,
  revokedAt: isoOrNull(r.revokedAt),
});

/**
 * Who belongs to an organisation and in what role. Owners manage everything;
 * admins manage members and seats but cannot touch owners or admins; anyone may
 * leave. An organisation always keeps at least one owner.
 */
export class MembershipService {
  constructor(private readonly deps: { db: Db; clock: Clock; publicUrl: string; invitationTtlSeconds: number }) {}

  /**
   * The caller's role in an organisation, checked against the least role a route
   * needs. A non-member is told the organisation does not exist.
   */
  async requireRole(userId: string, organisationId: string, least: Role): Promise<Role> {
    const row = await membershipRepository.find(this.deps.db, organisationId, userId);
    if (!row) throw notFound('organisation', organisationId);
    if (RANK[row.role] < RANK[least])
      throw new LeaseholdError('FORBIDDEN', `This needs the ${least} role in the organisation; you are ${row.role}.`, { requiredRole: least });
    return row.role;
  }

  /** The organisation IDs a user belongs to. */
  async organisationsOf(userId: string): Promise<string[]> {
    return membershipRepository.organisationIdsOf(this.deps.db, userId);
  }

  /** A page of members in the order of their user IDs (the unique index on organisation and user serves it). */
  async listMembers(organisationId: string, limit: number, cursor?: string): Promise<{ data: Member[]; nextCursor: string | null }> {
    const rows = await membershipRepository.listMembers(this.deps.db, organisationId, limit + 1, cursor);
    const page = pageOf(rows, limit, (r) => r.userId);
    return { data: page.data.map(memberView), nextCursor: page.nextCursor };
  }

  async #member(organisationId: string, userId: string): Promise<Member> {
    const row = await membershipRepository.findMember(this.deps.db, organisationId, userId);
    if (!row) throw notFound('member', userId);
    return memberView(row);
  }

  /** Removes a member (or lets one leave). */
  async removeMember(actorId: string, organisationId: string, targetId: string, ctx: RequestContext): Promise<{ removed: true }> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const rows = await membershipRepository.lockMembers(tx, organisationId);
      const actor = rows.find((r) => r.userId === actorId);
      if (!actor) throw notFound('organisation', organisationId);
      const target = rows.find((r) => r.userId === targetId);
      if (!target) throw notFound('member', targetId);
      if (actorId !== targetId) {
        if (RANK[actor.role] < RANK.admin) throw new LeaseholdError('FORBIDDEN', 'Only owners and admins remove members.', { requiredRole: 'admin' });
        if (target.role !== 'member' && actor.role !== 'owner')
          throw new LeaseholdError('FORBIDDEN', 'Only owners remove owners and admins.', { requiredRole: 'owner' });
      }
      if (target.role === 'owner' && rows.filter((r) => r.role === 'owner').length === 1) {
        throw new LeaseholdError('LAST_OWNER', 'The last owner cannot leave or be removed. Make someone else an owner first.');
      }
      await membershipRepository.delete(tx, target.id);
      await appendAudit(tx, ctx, now, [
        { action: actorId === targetId ? 'membership.left' : 'membership.removed', organisationId, targetType: 'user', targetId, data: { role: target.role } },
      ]);
    });
    return { removed: true };
  }

  /** Changes a member's role; owners only. */
  async changeRole(actorId: string, organisationId: string, targetId: string, role: Role, ctx: RequestContext): Promise<Member> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const rows = await membershipRepository.lockMembers(tx, organisationId);
      const actor = rows.find((r) => r.userId === actorId);
      if (!actor) throw notFound('organisation', organisationId);
      if (actor.role !== 'owner') throw new LeaseholdError('FORBIDDEN', 'Only owners change roles.', { requiredRole: 'owner' });
      const target = rows.find((r) => r.userId === targetId);
      if (!target) throw notFound('member', targetId);
      if (target.role === role) return;
      if (target.role === 'owner' && rows.filter((r) => r.role === 'owner').length === 1) {
        throw new LeaseholdError('LAST_OWNER', 'The last owner cannot step down. Make someone else an owner first.');
      }
      await membershipRepository.setRole(tx, target.id, role);
      await appendAudit(tx, ctx, now, [
        { action: 'membership.role_changed', organisationId, targetType: 'user', targetId, data: { from: target.role, to: role } },
      ]);
    });
    return this.#member(organisationId, targetId);
  }

  async createInvitation(actorId: string, organisationId: string, input: CreateInvitation, ctx: RequestContext) {
    const actorRole = await this.requireRole(actorId, organisationId, 'admin');
    if (RANK[input.role] > RANK[actorRole])
      throw new LeaseholdError('FORBIDDEN', `An ${actorRole} cannot invite an ${input.role}.`, { requiredRole: input.role });
    const now = this.deps.clock.now();
    const token = randomSecret(32);
    const row: InvitationRow = {
      id: newId('invitation', now.getTime()),
      organisationId,
      role: input.role,
      email: input.email?.toLowerCase() ?? null,
      tokenHash: sha256(token),
      invitedBy: actorId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.invitationTtlSeconds * 1000),
      acceptedAt: null,
      acceptedBy: null,
      revokedAt: null,
    };
    await this.deps.db.transaction(async (tx) => {
      await membershipRepository.insertInvitation(tx, row);
      await appendAudit(tx, ctx, now, [
        { action: 'invitation.created', organisationId, targetType: 'invitation', targetId: row.id, data: { role: row.role, email: row.email } },
      ]);
    });
    return { ...invitationView(row), token, url: `${this.deps.publicUrl}/auth/invitations/${token}` };
  }

  async listInvitations(organisationId: string): Promise<{ data: Invitation[] }> {
    const rows = await membershipRepository.listInvitations(this.deps.db, organisationId);
    return { data: rows.map(invitationView) };
  }

  async revokeInvitation(organisationId: string, invitationId: string, ctx: RequestContext): Promise<Invitation> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await membershipRepository.revokeInvitation(tx, organisationId, invitationId, now);
      if (!row) throw notFound('invitation', invitationId);
      await appendAudit(tx, ctx, now, [{ action: 'invitation.revoked', organisationId, targetType: 'invitation', targetId: row.id }]);
      return invitationView(row);
    });
  }

  /** Spends an invitation: the signed-in user joins its organisation in its role. */
  async acceptInvitation(userId: string, token: string, ctx: RequestContext): Promise<{ organisationId: string; role: Role }> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const invitation = await membershipRepository.lockInvitationByTokenHash(tx, sha256(token));
      if (!invitation || invitation.revokedAt || invitation.acceptedAt || invitation.expiresAt <= now) {
        throw new LeaseholdError('NOT_FOUND', 'This invitation is unknown, used, revoked or expired. Ask for a new one.');
      }
      if (invitation.email) {
        const user = await userRepository.findById(tx, userId);
        if (!user?.emailVerified || user.email !== invitation.email) {
          throw new LeaseholdError('FORBIDDEN', 'This invitation is for another e-mail address. Sign in with the account it was sent to.');
        }
      }
      const existing = await membershipRepository.find(tx, invitation.organisationId, userId);
      await membershipRepository.markInvitationAccepted(tx, invitation.id, userId, now);
      let role = existing?.role ?? invitation.role;
      if (!existing) {
        await membershipRepository.insert(tx, {
          id: newId('membership', now.getTime()),
          organisationId: invitation.organisationId,
          userId,
          role,
          createdAt: now,
        });
      } else if (RANK[invitation.role] > RANK[existing.role]) {
        role = invitation.role;
        await membershipRepository.setRole(tx, existing.id, role);
      }
      await appendAudit(tx, ctx, now, [
        { action: 'invitation.accepted', organisationId: invitation.organisationId, targetType: 'invitation', targetId: invitation.id, data: { userId, role } },
        {
          action: existing ? 'membership.role_changed' : 'membership.created',
          organisationId: invitation.organisationId,
          targetType: 'user',
          targetId: userId,
          data: { role },
        },
      ]);
      return { organisationId: invitation.organisationId, role };
    });
  }
}
