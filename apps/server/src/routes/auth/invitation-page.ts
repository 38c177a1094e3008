import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { LeaseholdError } from '../../kernel/errors.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { esc, sendPage, signInLinks } from './html.js';
import type { AuthRouteOptions } from './route-options.js';
import { csrfMatches, userContext } from './user-auth.js';

const params = z.strictObject({ token: z.string().min(20).max(200).describe('The secret of the invitation link.') });

/** The invitation link a person opens: sign in, then accept (a form with the CSRF token). */
export const invitationPageRoutes: FastifyPluginAsync<AuthRouteOptions<'identity'>> = async (plain, { identity, limit }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  app.get('/invitations/:token', { onRequest: limit, schema: { tags, summary: 'An invitation link (HTML)', params } }, async (request, reply) => {
    const secret = readCookie(request, SESSION_COOKIE);
    const userId = secret ? await identity.signIn.sessionUser(secret) : null;
    const here = `/auth/invitations/${encodeURIComponent(request.params.token)}`;
    if (!secret || !userId)
      return sendPage(reply, 200, 'Sign in to join', `<p>Sign in to accept the invitation.</p>${signInLinks(identity.signIn.providerNames(), here)}`);
    return sendPage(
      reply,
      200,
      'Join the organisation',
      `<form method="post" action="${esc(here)}"><input type="hidden" name="csrf_token" value="${esc(csrfTokenFor(secret))}"><button>Accept the invitation</button></form>`,
    );
  });

  app.post(
    '/invitations/:token',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Accept an invitation (HTML form)',
        params,
        body: z.object({ csrf_token: z.string().max(200).optional().describe("The page's CSRF token.") }),
      },
    },
    async (request, reply) => {
      const secret = readCookie(request, SESSION_COOKIE);
      const userId = secret ? await identity.signIn.sessionUser(secret) : null;
      if (!secret || !userId)
        return sendPage(
          reply,
          401,
          'Sign in to join',
          signInLinks(identity.signIn.providerNames(), `/auth/invitations/${encodeURIComponent(request.params.token)}`),
        );
      if (!csrfMatches(secret, request.body.csrf_token)) return sendPage(reply, 403, 'Request refused', '<p>The form was not sent from this site.</p>');
      try {
        const joined = await identity.memberships.acceptInvitation(userId, request.params.token, userContext(request, userId));
        return sendPage(reply, 200, 'Welcome', `<p>You joined the organisation <code>${esc(joined.organisationId)}</code> as ${esc(joined.role)}.</p>`);
      } catch (error) {
        if (error instanceof LeaseholdError)
          return sendPage(reply, error.code === 'FORBIDDEN' ? 403 : 404, 'Invitation not accepted', `<p>${esc(error.message)}</p>`);
        throw error;
      }
    },
  );
};
