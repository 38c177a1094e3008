import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../compose.js';
import { userAuth } from '../auth/user-auth.js';
import { orgBillingRoutes } from './billing.js';
import { orgCiMappingRoutes } from './ci-mappings.js';
import { invitationRoutes } from './invitations.js';
import { memberRoutes } from './members.js';
import { seatRoutes } from './seats.js';
import { orgWebhookRoutes } from './webhooks.js';

/**
 * Organisation self-service for its own members: every route authenticates a
 * person, then checks their role in the organisation of the path; a non-member
 * is told the organisation does not exist.
 */
export const orgRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.addHook('onRequest', userAuth(services));
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ userToken: [] }] };
  });
  for (const routes of [memberRoutes, invitationRoutes, seatRoutes, orgBillingRoutes, orgWebhookRoutes, orgCiMappingRoutes]) {
    await app.register(routes, { services });
  }
};
