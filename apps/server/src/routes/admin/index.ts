import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../app-services.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { type ApiKeyAuthServices, apiKeyAuth } from './auth.js';
import { billingRoutes } from './billing.js';
import { ciMappingRoutes } from './ci-mappings.js';
import { licenseRoutes } from './licenses.js';
import { liveRoutes } from './live.js';
import { organisationRoutes } from './organisations.js';
import { planRoutes } from './plans.js';
import { productRoutes } from './products.js';
import { sessionRoutes } from './sessions.js';
import { staffRoutes } from './staff.js';
import { usageRoutes } from './usage.js';
import { webhookRoutes } from './webhooks.js';

/** What the administration API's routes and its key check use, and nothing else. */
export type AdminServices = ApiKeyAuthServices &
  Pick<
    Services,
    | 'audit'
    | 'catalog'
    | 'ciMappings'
    | 'licenses'
    | 'mail'
    | 'organisations'
    | 'overview'
    | 'seatQueue'
    | 'selfServe'
    | 'sessions'
    | 'usageReports'
    | 'webhooks'
  >;

/** The vendor's administration API: every route needs an API key with the route's scope. */
export const adminRoutes: FastifyPluginAsync<AdminServices> = async (app, services) => {
  const { adminSessions, apiKeys, audit, catalog, ciMappings, config, identity, licenses, mail, organisations } = services;
  const { overview, rateLimiter, seatQueue, selfServe, sessions, staff, usageReports, webhooks } = services;
  app.addHook('onRequest', apiKeyAuth({ apiKeys, rateLimiter, config, adminSessions, identity, staff }));
  // The scope each route needs is published in OpenAPI as the security requirement's role.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope) route.schema = { ...route.schema, security: [{ apiKey: [scope] }] };
  });
  // Each group of routes is given only the services it calls.
  await app.register(productRoutes, { catalog });
  await app.register(planRoutes, { catalog });
  await app.register(organisationRoutes, { organisations });
  await app.register(licenseRoutes, { licenses, mail, seatQueue });
  await app.register(ciMappingRoutes, { ciMappings });
  await app.register(sessionRoutes, { sessions });
  await app.register(auditRoutes, { audit });
  await app.register(apiKeyRoutes, { apiKeys });
  await app.register(billingRoutes, { licenses, audit, organisations, selfServe });
  await app.register(liveRoutes, { overview, organisations, identity, licenses, sessions });
  await app.register(usageRoutes, { usageReports, licenses });
  await app.register(staffRoutes, { staff });
  await app.register(webhookRoutes, { webhooks });
};
