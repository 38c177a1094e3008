import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { ADMIN_CSRF_COOKIE, ADMIN_SESSION_COOKIE, csrfEquals } from '../../dashboard/admin-session.js';
import { enforceRateLimit, ipKey } from '../../http/rate-limit.js';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { LeaseholdError } from '../../kernel/errors.js';
import type { RequestContext } from '../../kernel/request-context.js';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from '../auth/cookies.js';
import { problems } from '../problem-responses.js';
import { sendDashboardFile } from './static-files.js';

/** How long a dashboard session opened with an API key lasts. */
const ADMIN_SESSION_SECONDS = 8 * 3600;

/** The web app at /dashboard and the few endpoints only it needs: open, read and end its session. */
export const dashboardRoutes: FastifyPluginAsync<Pick<Services, 'adminSessions' | 'apiKeys' | 'config' | 'identity' | 'rateLimiter' | 'staff'>> = async (
  plain,
  { adminSessions: sessions, apiKeys, config, identity, rateLimiter, staff },
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const context = (request: FastifyRequest, key?: { id: string; organisationId: string | null }): RequestContext => ({
    requestId: request.id,
    ip: request.ip,
    actor: key ? { type: 'api-key', id: key.id, organisationId: key.organisationId } : { type: 'system', id: null },
  });
  const tags = ['dashboard'];

  // The pages and the provider list are public: limited per address like the admin API.
  const perAddress = (request: FastifyRequest, reply: FastifyReply) =>
    enforceRateLimit(rateLimiter, reply, 'from this address', ipKey(request), config.rateLimits.perIpPerMinute);

  const adminSession = async (request: FastifyRequest) => {
    const cookie = readCookie(request, ADMIN_SESSION_COOKIE);
    return cookie ? sessions.check(cookie) : null;
  };

  app.post(
    '/dashboard/api/session',
    {
      onRequest: (request, reply) =>
        enforceRateLimit(rateLimiter, reply, 'to sign-in endpoints from this address', `auth:${ipKey(request)}`, config.rateLimits.authPerMinute),
      schema: {
        tags,
        summary: 'Exchange an admin API key for a dashboard session',
        description: 'Sets an HttpOnly session cookie; the key itself is not kept by the browser. Changes then need the answered csrfToken in x-csrf-token.',
        body: schemas.dashboardSignIn,
        response: { 200: schemas.dashboardSession, ...problems },
      },
    },
    async (request, reply) => {
      const key = await apiKeys.authenticate(request.body.apiKey);
      if (!key) throw new LeaseholdError('UNAUTHENTICATED', 'The API key is unknown or revoked.');
      const { secret, csrf } = await sessions.open(key.id, ADMIN_SESSION_SECONDS, context(request, key));
      setCookie(reply, config, ADMIN_SESSION_COOKIE, secret, { maxAgeSeconds: ADMIN_SESSION_SECONDS });
      setCookie(reply, config, ADMIN_CSRF_COOKIE, csrf, { maxAgeSeconds: ADMIN_SESSION_SECONDS, httpOnly: false });
      reply.header('cache-control', 'no-store');
      return { kind: 'api-key' as const, apiKeyId: key.id, scopes: [...key.scopes] as never, organisationId: key.organisationId, csrfToken: csrf };
    },
  );

  app.get(
    '/dashboard/api/session',
    { schema: { tags, summary: 'The dashboard session of this browser', response: { 200: schemas.dashboardSession, ...problems } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const admin = await adminSession(request);
      if (admin) {
        const { key } = admin;
        return { kind: 'api-key' as const, apiKeyId: key.id, scopes: [...key.scopes] as never, organisationId: key.organisationId, csrfToken: admin.csrf };
      }
      const secret = readCookie(request, SESSION_COOKIE);
      const userId = secret ? await identity.signIn.sessionUser(secret) : null;
      if (!secret || !userId) throw new LeaseholdError('UNAUTHENTICATED', 'Not signed in.');
      return { kind: 'user' as const, me: await identity.accounts.me(userId), staff: await staff.isStaff(userId), csrfToken: csrfTokenFor(secret) };
    },
  );

  app.delete(
    '/dashboard/api/session',
    { schema: { tags, summary: 'Sign out of the dashboard', response: { 200: schemas.dashboardSignOut, ...problems } } },
    async (request, reply) => {
      const admin = await adminSession(request);
      const secret = readCookie(request, SESSION_COOKIE);
      const expected = admin?.csrf ?? (secret ? csrfTokenFor(secret) : null);
      if (expected && !csrfEquals(expected, request.headers['x-csrf-token'])) {
        throw new LeaseholdError('FORBIDDEN', 'Signing out needs the x-csrf-token header.');
      }
      const adminCookie = readCookie(request, ADMIN_SESSION_COOKIE);
      if (admin && adminCookie) await sessions.end(adminCookie, context(request, admin.key));
      if (secret) await identity.signIn.endSession(secret, context(request));
      clearCookie(reply, config, ADMIN_SESSION_COOKIE);
      clearCookie(reply, config, ADMIN_CSRF_COOKIE);
      return { signedOut: Boolean(admin || secret) };
    },
  );

  app.get(
    '/dashboard/api/providers',
    { onRequest: perAddress, schema: { tags, summary: 'The sign-in providers this server offers', response: { 200: schemas.signInProviders, ...problems } } },
    async () => {
      const id = config.identity;
      return { providers: [...(id.google ? ['google'] : []), ...(id.github ? ['github'] : []), ...(id.oidc ? [id.oidc.name] : [])] };
    },
  );

  app.get('/dashboard', { onRequest: perAddress, schema: { tags, summary: 'The dashboard, at its trailing slash' } }, (_request, reply) =>
    reply.redirect('/dashboard/', 302),
  );
  app.get('/dashboard/*', { onRequest: perAddress, schema: { tags, summary: 'The dashboard web app and its files' } }, (request, reply) =>
    sendDashboardFile(reply, (request.params as { '*': string })['*']),
  );
};
