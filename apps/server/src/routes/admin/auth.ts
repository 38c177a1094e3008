import type { ApiKeyScope } from '@leasehold/protocol/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app-services.js';
import { enforceRateLimit, ipKey } from '../../http/rate-limit.js';
import { LeaseholdError } from '../../kernel/errors.js';
import type { OrganisationScope } from '../../kernel/organisation-scope.js';
import type { RequestContext } from '../../kernel/request-context.js';
import type { AuthenticatedKey } from '../../services/api-key-service.js';
import { type DashboardKeyServices, dashboardKey } from '../dashboard/session-auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API key scope a route needs. */
    scope?: ApiKeyScope;
  }
  interface FastifyRequest {
    apiKey?: AuthenticatedKey;
  }
}

/** What authenticating an administrator needs: the keys, the rate limits, and the dashboard's cookies. */
export type ApiKeyAuthServices = Pick<Services, 'apiKeys' | 'rateLimiter' | 'config'> & DashboardKeyServices;

/**
 * Authenticates a vendor API key before the body is even read, then checks the
 * route's scope. Unknown, revoked and missing keys get the same 401.
 */
export function apiKeyAuth(services: ApiKeyAuthServices) {
  const { rateLimiter, apiKeys, config } = services;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await enforceRateLimit(rateLimiter, reply, 'from this address', ipKey(request), config.rateLimits.perIpPerMinute);
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header) : null;
    const fromDashboard = header === undefined ? await dashboardKey(services, request) : null;
    if (fromDashboard) {
      request.apiKey = fromDashboard;
    } else if (!match?.[1]) {
      reply.header('www-authenticate', 'Bearer realm="leasehold-admin"');
      throw new LeaseholdError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>".');
    }
    const key = request.apiKey ?? (await apiKeys.authenticate(match?.[1] ?? ''));
    if (!key) {
      reply.header('www-authenticate', 'Bearer realm="leasehold-admin", error="invalid_token"');
      throw new LeaseholdError('UNAUTHENTICATED', 'The API key is unknown or revoked.');
    }
    await enforceRateLimit(rateLimiter, reply, 'for this API key', `key:${key.id}`, config.rateLimits.perApiKeyPerMinute);
    const needed = request.routeOptions.config.scope;
    if (needed && !key.scopes.has('*') && !key.scopes.has(needed)) {
      throw new LeaseholdError('FORBIDDEN', `This API key lacks the scope ${needed}.`, { requiredScope: needed });
    }
    request.apiKey = key;
  };
}

export function adminContext(request: FastifyRequest): RequestContext {
  const key = request.apiKey as AuthenticatedKey;
  if (key.viaStaff) return { requestId: request.id, ip: request.ip, actor: { type: 'user', id: key.id } };
  return { requestId: request.id, ip: request.ip, actor: { type: 'api-key', id: key.id, organisationId: key.organisationId } };
}

export function adminScope(request: FastifyRequest): OrganisationScope {
  return { organisationId: request.apiKey?.organisationId ?? null };
}
