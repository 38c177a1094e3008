import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app-services.js';
import { enforceRateLimit, ipKey } from '../../http/rate-limit.js';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { LeaseholdError } from '../../kernel/errors.js';
import type { RequestContext } from '../../kernel/request-context.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

/** The signed-in person behind a request. */
export interface AuthenticatedUser {
  userId: string;
  via: 'access-token' | 'external' | 'cookie';
  /** The web session's secret, when the browser cookie authenticated the request. */
  sessionSecret: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthenticatedUser;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Reads "Authorization: Bearer <token>", or null when absent. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header);
  return match?.[1] ?? null;
}

/** Whether a presented CSRF token is the one of this web session (constant time). */
export function csrfMatches(sessionSecret: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(csrfTokenFor(sessionSecret));
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What authenticating a person needs: sign-in and tokens, and the per-address rate limit. */
export type UserAuthServices = Pick<Services, 'identity' | 'rateLimiter' | 'config'>;

/**
 * Authenticates a person: a bearer access token (ours or the external issuer's),
 * or the browser's session cookie. A cookie alone never authorises a state change:
 * those also need the session's CSRF token in `x-csrf-token`.
 */
export function userAuth({ identity, rateLimiter, config }: UserAuthServices) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await enforceRateLimit(rateLimiter, reply, 'from this address', ipKey(request), config.rateLimits.perIpPerMinute);
    const token = bearerToken(request);
    if (token) {
      try {
        const principal = await identity.authenticator.authenticate(token, userContext(request, null));
        request.user = { ...principal, sessionSecret: null };
        return;
      } catch (error) {
        reply.header('www-authenticate', 'Bearer realm="leasehold", error="invalid_token"');
        throw error;
      }
    }
    const secret = readCookie(request, SESSION_COOKIE);
    const userId = secret ? await identity.signIn.sessionUser(secret) : null;
    if (!secret || !userId) {
      reply.header('www-authenticate', 'Bearer realm="leasehold"');
      throw new LeaseholdError('UNAUTHENTICATED', 'Sign in: send an access token as "Authorization: Bearer <token>".');
    }
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(secret, request.headers['x-csrf-token'])) {
      throw new LeaseholdError('FORBIDDEN', 'A cookie-authenticated change needs the x-csrf-token header (the lh_csrf cookie).');
    }
    request.user = { userId, via: 'cookie', sessionSecret: secret };
  };
}

/** The request context of a signed-in person (or of an anonymous caller, before sign-in). */
export function userContext(request: FastifyRequest, userId: string | null = request.user?.userId ?? null): RequestContext {
  return { requestId: request.id, ip: request.ip, actor: userId ? { type: 'user', id: userId } : { type: 'system', id: null } };
}
