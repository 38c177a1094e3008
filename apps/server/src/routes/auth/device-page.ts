import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { esc, sendPage, signInLinks } from './html.js';
import type { AuthRouteOptions } from './route-options.js';
import { csrfMatches, userContext } from './user-auth.js';

const userCode = z
  .string()
  .max(20)
  .describe('The code the program shows.')
  .meta({ examples: ['WDJB-MJHT'] });

/**
 * The page where a person confirms a program's sign-in (RFC 8628 §3.3): signed in
 * by cookie, they type or check the code and approve or deny it. The form carries
 * the session's CSRF token.
 */
export const devicePageRoutes: FastifyPluginAsync<AuthRouteOptions<'identity'>> = async (plain, { identity, limit }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  const signedIn = async (request: FastifyRequest) => {
    const secret = readCookie(request, SESSION_COOKIE);
    const userId = secret ? await identity.signIn.sessionUser(secret) : null;
    return secret && userId ? { secret, userId } : null;
  };

  app.get(
    '/device',
    { onRequest: limit, schema: { tags, summary: 'The device sign-in confirmation page (HTML)', querystring: z.object({ user_code: userCode.optional() }) } },
    async (request, reply) => {
      const code = request.query.user_code ?? '';
      const session = await signedIn(request);
      if (!session) {
        const back = `/auth/device${code ? `?user_code=${encodeURIComponent(code)}` : ''}`;
        return sendPage(
          reply,
          200,
          'Sign in to continue',
          `<p>Sign in to confirm the sign-in of your program.</p>${signInLinks(identity.signIn.providerNames(), back)}`,
        );
      }
      const pending = code ? await identity.device.pending(code) : null;
      const csrf = csrfTokenFor(session.secret);
      const detail = pending
        ? `<p>A program (<strong>${esc(pending.clientId)}</strong>) asks to act as you. Check that it shows this code:</p><p><code>${esc(pending.userCode)}</code></p>`
        : `<p>Enter the code your program shows.</p>${code ? '<p><strong>That code is unknown or expired.</strong></p>' : ''}`;
      return sendPage(
        reply,
        200,
        'Confirm a device sign-in',
        `${detail}<form method="post" action="/auth/device">` +
          `<input type="hidden" name="csrf_token" value="${esc(csrf)}">` +
          `<p><label>Code <input name="user_code" value="${esc(pending?.userCode ?? code)}" autocomplete="off" required maxlength="20"></label></p>` +
          '<p><button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button></p></form>',
      );
    },
  );

  app.post(
    '/device',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Approve or deny a device sign-in',
        body: z.object({
          user_code: userCode,
          action: z.enum(['approve', 'deny']).describe('Let the program act as you, or refuse.'),
          csrf_token: z.string().max(200).optional().describe("The page's CSRF token."),
        }),
      },
    },
    async (request, reply) => {
      const session = await signedIn(request);
      if (!session) return sendPage(reply, 401, 'Sign in to continue', signInLinks(identity.signIn.providerNames(), '/auth/device'));
      if (!csrfMatches(session.secret, request.body.csrf_token)) {
        return sendPage(reply, 403, 'Request refused', '<p>The form was not sent from this site. Open the page again and retry.</p>');
      }
      const approve = request.body.action === 'approve';
      const pending = await identity.device.pending(request.body.user_code);
      if (!pending) return sendPage(reply, 404, 'Unknown code', '<p>That code is unknown or expired. Start the sign-in again in your program.</p>');
      await identity.device.decide(request.body.user_code, session.userId, approve, userContext(request, session.userId));
      return sendPage(
        reply,
        200,
        approve ? 'Signed in' : 'Sign-in denied',
        approve ? '<p>Your program is signed in. You can close this page.</p>' : '<p>The program was not signed in.</p>',
      );
    },
  );
};
