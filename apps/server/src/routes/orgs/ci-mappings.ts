import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { userContext } from '../auth/user-auth.js';
import { caller, orgParams, problems } from './common.js';

/** An organisation's own rules mapping its CI jobs to its licenses: owners set them, admins see them. */
export const orgCiMappingRoutes: FastifyPluginAsync<Pick<Services, 'identity' | 'ciMappings'>> = async (plain, { identity, ciMappings }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['organisations'];

  app.post(
    '/orgs/:orgId/ci-mappings',
    {
      schema: {
        tags,
        summary: "Map CI jobs to one of the organisation's licenses (owners)",
        params: orgParams,
        body: schemas.createCiMapping,
        response: { 201: schemas.ciMapping, ...problems },
      },
    },
    async (request, reply) => {
      const organisationId = request.params.orgId;
      await identity.memberships.requireRole(caller(request).userId, organisationId, 'owner');
      return reply.code(201).send(await ciMappings.create(request.body, { organisationId }, userContext(request)));
    },
  );

  app.get(
    '/orgs/:orgId/ci-mappings',
    {
      schema: {
        tags,
        summary: "The organisation's CI mapping rules (owners and admins)",
        params: orgParams,
        querystring: schemas.ciMappingQuery,
        response: { 200: schemas.ciMappingPage, ...problems },
      },
    },
    async (request) => {
      const organisationId = request.params.orgId;
      await identity.memberships.requireRole(caller(request).userId, organisationId, 'admin');
      return ciMappings.list(request.query, { organisationId });
    },
  );

  app.delete(
    '/orgs/:orgId/ci-mappings/:mappingId',
    {
      schema: {
        tags,
        summary: 'Delete a CI mapping rule (owners)',
        params: orgParams.extend({ mappingId: schemas.id('ciMapping').describe('The rule to delete.') }),
        response: { 200: schemas.ciMapping, ...problems },
      },
    },
    async (request) => {
      const { orgId: organisationId, mappingId } = request.params;
      await identity.memberships.requireRole(caller(request).userId, organisationId, 'owner');
      return ciMappings.remove(mappingId, { organisationId }, userContext(request));
    },
  );
};
