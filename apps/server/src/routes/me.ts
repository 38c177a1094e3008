import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../compose.js';
import { userAuth } from './auth/user-auth.js';

const problems = { 401: schemas.problem, 429: schemas.problem };

/** `GET /api/v1/me`: who is signed in and which organisations they belong to, in which role. */
export const meRoutes: FastifyPluginAsync<{ services: Services }> = async (plain, { services }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/me',
    {
      onRequest: userAuth(services),
      schema: {
        tags: ['identity'],
        summary: 'The signed-in person and their memberships',
        security: [{ userToken: [] }],
        response: { 200: schemas.me, ...problems },
      },
    },
    async (request) => services.identity.accounts.me(request.user?.userId as string),
  );
};
