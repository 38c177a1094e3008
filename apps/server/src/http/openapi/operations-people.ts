import type { OperationDoc } from './operation-doc.js';
import { BODY, MEMBER, MEMBER_WRITE, USER, userSecurity } from './operation-parts.js';

/** What signed-in people do: themselves, their organisations' members, invitations, seats and billing. */
export const PEOPLE_OPERATIONS: Record<string, OperationDoc> = {
  'GET /api/v1/me': {
    operationId: 'getMe',
    description: 'The signed-in person and the organisations they belong to, in which role.',
    errors: USER,
    rateLimited: true,
    security: userSecurity,
  },
  'GET /api/v1/orgs/{orgId}/members': {
    operationId: 'listMembers',
    description: 'The members of the organisation, a page at a time in the order of their user IDs (any member may ask).',
    errors: MEMBER,
    rateLimited: true,
  },
  'PATCH /api/v1/orgs/{orgId}/members/{userId}': {
    operationId: 'changeMemberRole',
    description: 'Owners change roles. The last owner cannot step down: 409 LAST_OWNER.',
    errors: [...MEMBER_WRITE, 'LAST_OWNER'],
    rateLimited: true,
  },
  'DELETE /api/v1/orgs/{orgId}/members/{userId}': {
    operationId: 'removeMember',
    description: 'Admins remove members, owners remove anyone, anyone may remove themselves. The last owner cannot leave or be removed: 409 LAST_OWNER.',
    errors: [...MEMBER, 'LAST_OWNER'],
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/invitations': {
    operationId: 'createInvitation',
    description: 'Owners and admins invite; only owners invite owners. The answer holds a single-use link that expires.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/invitations': {
    operationId: 'listInvitations',
    description: 'The organisation’s invitations (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  'DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}': {
    operationId: 'revokeInvitation',
    description: 'The link stops working (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/ci-mappings': {
    operationId: 'createOrgCiMapping',
    description:
      'Owners map CI jobs to one of the organisation’s licenses: jobs whose workload identity token (GitHub Actions OIDC) matches the claim patterns take seats without a license key. See CiMapping for the pool and the advisory mode.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/ci-mappings': {
    operationId: 'listOrgCiMappings',
    description: 'The organisation’s CI mapping rules (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  'DELETE /api/v1/orgs/{orgId}/ci-mappings/{mappingId}': {
    operationId: 'deleteOrgCiMapping',
    description: 'Owners delete a rule; jobs holding seats through it keep them until they release or their lease ends.',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/invitations/accept': {
    operationId: 'acceptInvitation',
    description: 'Joins the organisation of an invitation as the signed-in person. An invitation for an e-mail address needs that verified address.',
    errors: [...BODY, 'NOT_FOUND', 'FORBIDDEN', ...USER],
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/licenses': {
    operationId: 'listOrganisationLicenses',
    description: 'The organisation’s licenses (any member).',
    errors: MEMBER,
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/sessions': {
    operationId: 'listOrganisationSessions',
    description: 'Who holds the organisation’s seats now: owners and admins see every seat, a member only the seats they took while signed in.',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/sessions/{sessionId}/release': {
    operationId: 'freeOrganisationSeat',
    description: 'Ends a session of the organisation at once (owners and admins); its program learns at its next heartbeat.',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/billing/checkout': {
    operationId: 'startCheckout',
    description: 'Owners and admins buy seats: answers the Stripe Checkout URL to send the person to. The license follows from the webhook once paid.',
    errors: [...MEMBER_WRITE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/billing/portal': {
    operationId: 'openBillingPortal',
    description: 'Owners and admins manage the subscription: answers the Stripe customer portal URL.',
    errors: [...MEMBER, 'INVALID_STATE'],
    rateLimited: true,
  },
};
