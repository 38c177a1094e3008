import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { userContext } from '../auth/user-auth.js';
import { caller, orgParams, problems } from './common.js';

export const invitationRoutes: FastifyPluginAsync<Pick<Services, 'identity' | 'mail'>> = async (plain, { identity, mail }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { memberships } = identity;
  const tags = ['organisations'];

  app.post(
    '/orgs/:orgId/invitations',
    {
      schema: {
        tags,
        summary: 'Invite someone (owners and admins)',
        description: 'Answers a single-use link that expires. Admins may invite members and admins; only owners invite owners.',
        params: orgParams,
        body: schemas.createInvitation,
        response: { 201: schemas.createdInvitation, ...problems },
      },
    },
    async (request, reply) => {
      const inviter = caller(request).userId;
      const created = await memberships.createInvitation(inviter, request.params.orgId, request.body, userContext(request));
      mail.invitation(created, inviter);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/orgs/:orgId/invitations',
    { schema: { tags, summary: 'List invitations (owners and admins)', params: orgParams, response: { 200: schemas.invitationList, ...problems } } },
    async (request) => {
      await memberships.requireRole(caller(request).userId, request.params.orgId, 'admin');
      return memberships.listInvitations(request.params.orgId);
    },
  );

  app.delete(
    '/orgs/:orgId/invitations/:invitationId',
    {
      schema: {
        tags,
        summary: 'Revoke an invitation (owners and admins)',
        params: orgParams.extend({ invitationId: schemas.id('invitation').describe('The invitation.') }),
        response: { 200: schemas.invitation, ...problems },
      },
    },
    async (request) => {
      await memberships.requireRole(caller(request).userId, request.params.orgId, 'admin');
      return memberships.revokeInvitation(request.params.orgId, request.params.invitationId, userContext(request));
    },
  );

  app.post(
    '/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation as the signed-in person',
        body: schemas.acceptInvitation,
        response: { 200: schemas.acceptedInvitation, ...problems },
      },
    },
    async (request) => memberships.acceptInvitation(caller(request).userId, request.body.token, userContext(request)),
  );
};
