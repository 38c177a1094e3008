import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

export const sessionRoutes: FastifyPluginAsync<Pick<Services, 'sessions'>> = async (plain, { sessions }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['sessions'];
  app.get(
    '/sessions',
    {
      config: { scope: 'sessions:read' },
      schema: { tags, summary: 'List live sessions', querystring: schemas.sessionQuery, response: { 200: schemas.sessionPage, ...problems } },
    },
    async (request) => sessions.listLive(request.query, adminScope(request)),
  );
  app.post(
    '/sessions/:id/release',
    {
      config: { scope: 'sessions:write' },
      schema: {
        tags,
        summary: 'Force-release a seat',
        description: 'Frees the seat at once; the program learns at its next heartbeat.',
        params: idParams('session'),
        response: { 200: schemas.releaseResponse, ...problems },
      },
    },
    async (request) => sessions.forceRelease(request.params.id, adminScope(request), adminContext(request)),
  );
};
