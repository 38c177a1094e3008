import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { LeaseholdError } from '../../kernel/errors.js';
import { CSRF_COOKIE, clearCookie, readCookie, SESSION_COOKIE, STATE_COOKIE, setCookie } from './cookies.js';
import { esc, sendPage } from './html.js';
import type { AuthRouteOptions } from './route-options.js';
import { userContext } from './user-auth.js';

const providerParams = z.strictObject({
  provider: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}$/)
    .describe('The sign-in provider: google, github or the configured OIDC name.'),
});

/** Browser sign-in: the authorization code flow with PKCE for Google, GitHub and the configured OIDC issuer. */
export const signInRoutes: FastifyPluginAsync<AuthRouteOptions<'identity' | 'config'>> = async (plain, { identity, config, limit }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  app.get(
    '/:provider/start',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Start a browser sign-in',
        description: 'Redirects to the provider. redirect_to must be a path here or on an allowed origin; anything else is replaced by the default.',
        params: providerParams,
        querystring: z.object({
          redirect_to: z
            .string()
            .max(2000)
            .optional()
            .describe('Where to go once signed in: a path here or a URL on an allowed origin.')
            .meta({ examples: ['/auth/device'] }),
        }),
      },
    },
    async (request, reply) => {
      const { url, state } = await identity.signIn.start(request.params.provider, request.query.redirect_to);
      setCookie(reply, config, STATE_COOKIE, state, { maxAgeSeconds: 600, path: '/auth' });
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );

  app.get(
    '/:provider/callback',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Finish a browser sign-in',
        description: 'The provider sends the browser back here. Sign-up is the first sign-in; a session cookie is set and the browser goes on to redirect_to.',
        params: providerParams,
        querystring: z.object({
          state: z.string().max(200).optional().describe('The state the sign-in started with; it must match the state cookie.'),
          code: z.string().max(2000).optional().describe("The provider's authorization code."),
          error: z.string().max(200).optional().describe('Set by the provider when the person cancelled or it refused.'),
          error_description: z.string().max(1000).optional().describe("The provider's explanation of `error`."),
        }),
      },
    },
    async (request, reply) => {
      const { state, code, error } = request.query;
      clearCookie(reply, config, STATE_COOKIE, '/auth');
      if (error) {
        return sendPage(reply, 400, 'Sign-in cancelled', `<p>The provider answered: ${esc(error)}.</p><p><a href="/auth/device">Try again</a></p>`);
      }
      // The state must come back in the same browser that started the flow: a link planted by someone else fails here.
      if (!state || !code || readCookie(request, STATE_COOKIE) !== state) {
        throw new LeaseholdError('SIGN_IN_FAILED', 'This sign-in was not started in this browser, or it is incomplete. Start again.');
      }
      const result = await identity.signIn.finish(request.params.provider, { state, code }, userContext(request, null));
      const maxAge = config.identity.webSessionTtlSeconds;
      setCookie(reply, config, SESSION_COOKIE, result.sessionSecret, { maxAgeSeconds: maxAge });
      setCookie(reply, config, CSRF_COOKIE, csrfTokenFor(result.sessionSecret), { maxAgeSeconds: maxAge, httpOnly: false });
      return reply.header('cache-control', 'no-store').redirect(result.redirectTo, 303);
    },
  );
};
