import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../compose.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { apiKeyAuth } from './auth.js';
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

/** The vendor's administration API: every route needs an API key with the route's scope. */
export const adminRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.addHook('onRequest', apiKeyAuth(services));
  // The scope each route needs is published in OpenAPI as the security requirement's role.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope) route.schema = { ...route.schema, security: [{ apiKey: [scope] }] };
  });
  for (const routes of [
    productRoutes,
    planRoutes,
    organisationRoutes,
    licenseRoutes,
    ciMappingRoutes,
    sessionRoutes,
    auditRoutes,
    apiKeyRoutes,
    billingRoutes,
    liveRoutes,
    usageRoutes,
    staffRoutes,
    webhookRoutes,
  ]) {
    await app.register(routes, { services });
  }
};
