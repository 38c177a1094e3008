import type { FastifyRequest } from 'fastify';
import type { Services } from '../../app-services.js';
import { ADMIN_SESSION_COOKIE, csrfEquals } from '../../dashboard/admin-session.js';
import { csrfTokenFor } from '../../identity/sign-in-service.js';
import { LeaseholdError } from '../../kernel/errors.js';
import type { AuthenticatedKey } from '../../services/api-key-service.js';
import { readCookie, SESSION_COOKIE } from '../auth/cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What finding the administrator behind a dashboard cookie needs. */
export type DashboardKeyServices = Pick<Services, 'adminSessions' | 'identity' | 'staff'>;

/**
 * The API key behind a dashboard session cookie, or null without one. A cookie alone
 * never authorises a change: those also need the session's CSRF token in `x-csrf-token`,
 * which a form posted from another site cannot send.
 */
export async function dashboardKey(services: DashboardKeyServices, request: FastifyRequest): Promise<AuthenticatedKey | null> {
  const cookie = readCookie(request, ADMIN_SESSION_COOKIE);
  if (!cookie) return staffUser(services, request);
  const session = await services.adminSessions.check(cookie);
  if (!session) throw new LeaseholdError('UNAUTHENTICATED', 'The dashboard session has ended or its API key was revoked. Sign in again.');
  if (!SAFE_METHODS.has(request.method) && !csrfEquals(session.csrf, request.headers['x-csrf-token'])) {
    throw new LeaseholdError('FORBIDDEN', 'A cookie-authenticated change needs the x-csrf-token header (the lh_admin_csrf cookie).');
  }
  return session.key;
}

/** A signed-in staff user stands in for a vendor-wide key; anyone else is not an administrator. */
async function staffUser(services: DashboardKeyServices, request: FastifyRequest): Promise<AuthenticatedKey | null> {
  const secret = readCookie(request, SESSION_COOKIE);
  const userId = secret ? await services.identity.signIn.sessionUser(secret) : null;
  if (!secret || !userId || !(await services.staff.isStaff(userId))) return null;
  if (!SAFE_METHODS.has(request.method) && !csrfEquals(csrfTokenFor(secret), request.headers['x-csrf-token'])) {
    throw new LeaseholdError('FORBIDDEN', 'A cookie-authenticated change needs the x-csrf-token header (the lh_csrf cookie).');
  }
  return { id: userId, scopes: new Set(['*']), organisationId: null, viaStaff: true };
}
