import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type UserAuthServices, userAuth } from './auth/user-auth.js';

const problems = { 401: schemas.problem, 429: schemas.problem };

/** `GET /api/v1/me`: who is signed in and which organisations they belong to, in which role. */
export const meRoutes: FastifyPluginAsync<UserAuthServices> = async (plain, { identity, rateLimiter, config }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/me',
    {
      onRequest: userAuth({ identity, rateLimiter, config }),
      schema: {
        tags: ['identity'],
        summary: 'The signed-in person and their memberships',
        security: [{ userToken: [] }],
        response: { 200: schemas.me, ...problems },
      },
    },
    async (request) => identity.accounts.me(request.user?.userId as string),
  );
};
