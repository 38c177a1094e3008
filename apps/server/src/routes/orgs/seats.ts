import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { userContext } from '../auth/user-auth.js';
import { caller, orgParams, problems } from './common.js';

/** An organisation's own licenses and live seats, always scoped to the organisation in the path. */
export const seatRoutes: FastifyPluginAsync<Pick<Services, 'identity' | 'licenses' | 'sessions'>> = async (plain, { identity, licenses, sessions }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['organisations'];

  app.get(
    '/orgs/:orgId/licenses',
    {
      schema: {
        tags,
        summary: "The organisation's licenses (any member)",
        params: orgParams,
        querystring: schemas.pageQueryOf('license'),
        response: { 200: schemas.licensePage, ...problems },
      },
    },
    async (request) => {
      const organisationId = request.params.orgId;
      await identity.memberships.requireRole(caller(request).userId, organisationId, 'member');
      return licenses.list(request.query, { organisationId });
    },
  );

  app.get(
    '/orgs/:orgId/sessions',
    {
      schema: {
        tags,
        summary: "The organisation's live seats (a member's own)",
        params: orgParams,
        querystring: schemas.pageQueryOf('session').extend({ licenseId: schemas.id('license').optional().describe("Only this license's seats.") }),
        response: { 200: schemas.sessionPage, ...problems },
      },
    },
    async (request) => {
      const organisationId = request.params.orgId;
      const { userId } = caller(request);
      const role = await identity.memberships.requireRole(userId, organisationId, 'member');
      // Owners and admins see every seat; a member sees only the seats they took themselves.
      return sessions.listLive({ ...request.query, ...(role === 'member' ? { userId } : {}) }, { organisationId });
    },
  );

  app.post(
    '/orgs/:orgId/sessions/:sessionId/release',
    {
      schema: {
        tags,
        summary: 'Free a seat (owners and admins)',
        description: 'Ends the session at once; its program learns at its next heartbeat.',
        params: orgParams.extend({ sessionId: schemas.id('session').describe('The session to end.') }),
        response: { 200: schemas.releaseResponse, ...problems },
      },
    },
    async (request) => {
      const { orgId: organisationId, sessionId } = request.params;
      await identity.memberships.requireRole(caller(request).userId, organisationId, 'admin');
      return sessions.forceRelease(sessionId, { organisationId }, userContext(request));
    },
  );
};
