import formbody from '@fastify/formbody';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app-services.js';
import { type ErrorReporting, errorHandler } from '../../http/problem.js';
import { enforceRateLimit, ipKey } from '../../http/rate-limit.js';
import { asOAuthError, OAUTH_ROUTES } from '../../identity/oauth-answer.js';
import { OAuthError } from '../../identity/oauth-error.js';
import { devicePageRoutes } from './device-page.js';
import { invitationPageRoutes } from './invitation-page.js';
import { signInRoutes } from './sign-in.js';
import { tokenRoutes } from './token.js';

/** What the /auth routes use; `reporting` is the app's, so outages are logged once for all handlers. */
export type AuthServices = Pick<Services, 'identity' | 'config' | 'rateLimiter'> & { reporting: ErrorReporting };

/**
 * Everything under /auth. Form bodies are parsed only here (OAuth clients and HTML
 * forms send them); OAuth errors keep OAuth's JSON shape, others are problem+json.
 */
export const authRoutes: FastifyPluginAsync<AuthServices> = async (app, { identity, config, rateLimiter, reporting }) => {
  await app.register(formbody);
  const limit = (request: FastifyRequest, reply: FastifyReply) =>
    enforceRateLimit(rateLimiter, reply, 'to sign-in endpoints from this address', `auth:${ipKey(request)}`, config.rateLimits.authPerMinute);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const oauth = error instanceof OAuthError ? error : OAUTH_ROUTES.has(request.routeOptions.url ?? '') ? asOAuthError(error) : null;
    if (oauth) {
      return reply
        .code(oauth.error === 'invalid_client' ? 401 : 400)
        .header('cache-control', 'no-store')
        .send({ error: oauth.error, error_description: oauth.description });
    }
    return errorHandler(error, request, reply, reporting);
  });
  await app.register(signInRoutes, { identity, config, limit });
  await app.register(tokenRoutes, { identity, config, limit });
  await app.register(devicePageRoutes, { identity, limit });
  await app.register(invitationPageRoutes, { identity, limit });
};
