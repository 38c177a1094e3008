import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { OAuthError } from '../../identity/oauth-error.js';
import { LeaseholdError } from '../../kernel/errors.js';
import { CSRF_COOKIE, clearCookie, readCookie, SESSION_COOKIE } from './cookies.js';
import type { AuthRouteOptions } from './route-options.js';
import { csrfMatches, userContext } from './user-auth.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const oauthErrors = { 400: schemas.oauthError, 401: schemas.oauthError, 429: schemas.problem };

/** The OAuth endpoints a program calls: device authorization, token (device code and refresh grants), sign-out. */
export const tokenRoutes: FastifyPluginAsync<AuthRouteOptions<'identity' | 'config'>> = async (plain, { identity, config, limit }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  app.post(
    '/device/code',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Start a device sign-in (RFC 8628)',
        description: 'Form-urlencoded or JSON. Show user_code and verification_uri to the person, then poll /auth/token.',
        body: schemas.deviceCodeRequest,
        response: { 200: schemas.deviceCodeResponse, ...oauthErrors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return identity.device.start({ clientId: request.body.client_id, scope: request.body.scope });
    },
  );

  app.post(
    '/token',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Exchange a device code or a refresh token for tokens',
        description:
          'grant_type urn:ietf:params:oauth:grant-type:device_code answers authorization_pending, slow_down, access_denied or expired_token until approved; grant_type refresh_token rotates the refresh token.',
        body: schemas.tokenRequest,
        response: { 200: schemas.tokenResponse, ...oauthErrors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const body = request.body;
      const ctx = userContext(request, null);
      if (body.grant_type === DEVICE_GRANT) {
        if (!body.device_code) throw new OAuthError('invalid_request', 'device_code is required.');
        return identity.device.poll(body.device_code, body.client_id, ctx);
      }
      if (body.grant_type === 'refresh_token') {
        if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
        return identity.tokens.refresh(body.refresh_token, body.client_id, ctx);
      }
      throw new OAuthError('unsupported_grant_type', `grant_type ${body.grant_type} is not supported here.`);
    },
  );

  app.post(
    '/logout',
    {
      onRequest: limit,
      schema: {
        tags,
        summary: 'Sign out',
        description:
          "Revokes the refresh token's whole family (programs), and the browser session when its cookie is sent; a cookie sign-out needs the CSRF token (x-csrf-token header or csrf_token field).",
        body: schemas.logoutRequest.optional(),
        response: { 200: schemas.logoutResponse, ...oauthErrors, 403: schemas.problem },
      },
    },
    async (request, reply) => {
      const ctx = userContext(request, null);
      let revoked = false;
      const refreshToken = request.body?.refresh_token;
      if (refreshToken) revoked = await identity.tokens.revokeFamily(refreshToken, ctx);
      const secret = readCookie(request, SESSION_COOKIE);
      if (secret) {
        // Without the CSRF check a foreign page could sign people out (a nuisance, but a state change all the same).
        if (!csrfMatches(secret, request.headers['x-csrf-token'] ?? request.body?.csrf_token)) {
          throw new LeaseholdError('FORBIDDEN', 'Signing a browser out needs its CSRF token.');
        }
        revoked = (await identity.signIn.endSession(secret, ctx)) || revoked;
        clearCookie(reply, config, SESSION_COOKIE);
        clearCookie(reply, config, CSRF_COOKIE);
      }
      return { revoked };
    },
  );
};
