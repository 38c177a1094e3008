import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

/** The vendor's rules mapping CI jobs (workload identity token claims) to licenses. */
export const ciMappingRoutes: FastifyPluginAsync<Pick<Services, 'ciMappings'>> = async (plain, { ciMappings }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['licenses'];
  app.post(
    '/ci-mappings',
    {
      config: { scope: 'licenses:write' },
      schema: { tags, summary: 'Map CI jobs to a license', body: schemas.createCiMapping, response: { 201: schemas.ciMapping, ...problems } },
    },
    async (request, reply) => reply.code(201).send(await ciMappings.create(request.body, adminScope(request), adminContext(request))),
  );
  app.get(
    '/ci-mappings',
    {
      config: { scope: 'licenses:read' },
      schema: { tags, summary: 'List CI mapping rules', querystring: schemas.ciMappingQuery, response: { 200: schemas.ciMappingPage, ...problems } },
    },
    async (request) => ciMappings.list(request.query, adminScope(request)),
  );
  app.delete(
    '/ci-mappings/:id',
    {
      config: { scope: 'licenses:write' },
      schema: { tags, summary: 'Delete a CI mapping rule', params: idParams('ciMapping'), response: { 200: schemas.ciMapping, ...problems } },
    },
    async (request) => ciMappings.remove(request.params.id, adminScope(request), adminContext(request)),
  );
};
