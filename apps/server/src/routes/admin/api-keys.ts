import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

export const apiKeyRoutes: FastifyPluginAsync<Pick<Services, 'apiKeys'>> = async (plain, { apiKeys }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['api keys'];
  app.post(
    '/api-keys',
    {
      config: { scope: 'api-keys:write' },
      schema: {
        tags,
        summary: 'Create an API key',
        description: 'The secret is in this answer only. A key bound to an organisationId sees only that organisation.',
        body: schemas.createApiKey,
        response: { 201: schemas.createdApiKey, ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await apiKeys.create(request.body, adminScope(request), adminContext(request))),
  );
  app.get(
    '/api-keys',
    {
      config: { scope: 'api-keys:write' },
      schema: { tags, summary: 'List API keys', querystring: schemas.pageQueryOf('apiKey'), response: { 200: schemas.apiKeyPage, ...problems } },
    },
    async (request) => apiKeys.list(request.query.limit, request.query.cursor),
  );
  app.post(
    '/api-keys/:id/revoke',
    {
      config: { scope: 'api-keys:write' },
      schema: { tags, summary: 'Revoke an API key', params: idParams('apiKey'), response: { 200: schemas.apiKey, ...problems } },
    },
    async (request) => apiKeys.revoke(request.params.id, adminContext(request)),
  );
};
