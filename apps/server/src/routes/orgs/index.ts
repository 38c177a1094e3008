import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../app-services.js';
import { type UserAuthServices, userAuth } from '../auth/user-auth.js';
import { orgBillingRoutes } from './billing.js';
import { orgCiMappingRoutes } from './ci-mappings.js';
import { invitationRoutes } from './invitations.js';
import { memberRoutes } from './members.js';
import { seatRoutes } from './seats.js';
import { orgWebhookRoutes } from './webhooks.js';

/** What the organisation routes and their person check use, and nothing else. */
export type OrgServices = UserAuthServices & Pick<Services, 'licenses' | 'sessions' | 'mail' | 'selfServe' | 'webhooks' | 'ciMappings'>;

/**
 * Organisation self-service for its own members: every route authenticates a
 * person, then checks their role in the organisation of the path; a non-member
 * is told the organisation does not exist.
 */
export const orgRoutes: FastifyPluginAsync<OrgServices> = async (
  app,
  { identity, rateLimiter, config, licenses, sessions, mail, selfServe, webhooks, ciMappings },
) => {
  app.addHook('onRequest', userAuth({ identity, rateLimiter, config }));
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ userToken: [] }] };
  });
  // Each group of routes is given only the services it calls.
  await app.register(memberRoutes, { identity });
  await app.register(invitationRoutes, { identity, mail });
  await app.register(seatRoutes, { identity, licenses, sessions });
  await app.register(orgBillingRoutes, { identity, selfServe });
  await app.register(orgWebhookRoutes, { identity, webhooks });
  await app.register(orgCiMappingRoutes, { identity, ciMappings });
};
