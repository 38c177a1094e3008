import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { userContext } from '../auth/user-auth.js';
import { caller, orgParams, problems } from './common.js';

const memberParams = orgParams.extend({ userId: schemas.id('user').describe('The member.') });

export const memberRoutes: FastifyPluginAsync<Pick<Services, 'identity'>> = async (plain, { identity }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { memberships } = identity;
  const tags = ['organisations'];

  app.get(
    '/orgs/:orgId/members',
    {
      schema: {
        tags,
        summary: 'List members (any member)',
        params: orgParams,
        querystring: schemas.memberQuery,
        response: { 200: schemas.memberPage, ...problems },
      },
    },
    async (request) => {
      await memberships.requireRole(caller(request).userId, request.params.orgId, 'member');
      return memberships.listMembers(request.params.orgId, request.query.limit, request.query.cursor);
    },
  );

  app.patch(
    '/orgs/:orgId/members/:userId',
    {
      schema: {
        tags,
        summary: "Change a member's role (owners)",
        description: 'The last owner cannot step down: 409 LAST_OWNER.',
        params: memberParams,
        body: schemas.updateMember,
        response: { 200: schemas.member, ...problems },
      },
    },
    async (request) => memberships.changeRole(caller(request).userId, request.params.orgId, request.params.userId, request.body.role, userContext(request)),
  );

  app.delete(
    '/orgs/:orgId/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member, or leave',
        description: 'Admins remove members, owners remove anyone, anyone may remove themselves. The last owner cannot leave or be removed: 409 LAST_OWNER.',
        params: memberParams,
        response: { 200: schemas.memberRemoved, ...problems },
      },
    },
    async (request) => memberships.removeMember(caller(request).userId, request.params.orgId, request.params.userId, userContext(request)),
  );
};
