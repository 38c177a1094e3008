import type { OperationDoc } from './operation-doc.js';
import { BODY, DB, redirect } from './operation-parts.js';

/** The `lh_session` cookie of a signed-in person, or the `lh_admin` cookie of a session opened with an API key. */
const cookieSession = [{ browserCookie: [] }];

/** The web dashboard at /dashboard and the few endpoints only it calls. */
export const DASHBOARD_OPERATIONS: Record<string, OperationDoc> = {
  'POST /dashboard/api/session': {
    operationId: 'openDashboardSession',
    description:
      'Exchanges an admin API key for a dashboard session: sets the HttpOnly `lh_admin` cookie and the `lh_admin_csrf` cookie; the key itself is not kept by the browser. Changes then need the answered `csrfToken` in `x-csrf-token`.',
    errors: [...BODY, 'UNAUTHENTICATED', 'RATE_LIMITED', ...DB],
    rateLimited: true,
    security: [{}],
  },
  'GET /dashboard/api/session': {
    operationId: 'getDashboardSession',
    description:
      'Who the browser’s dashboard session acts for: an admin API key (`lh_admin` cookie) or a signed-in person (`lh_session` cookie), with its CSRF token.',
    errors: ['UNAUTHENTICATED', ...DB],
    security: cookieSession,
  },
  'DELETE /dashboard/api/session': {
    operationId: 'closeDashboardSession',
    description:
      'Signs the browser out of the dashboard: ends the session behind its cookies and clears them. Needs the session’s CSRF token in `x-csrf-token`.',
    errors: ['FORBIDDEN', ...DB],
    security: cookieSession,
  },
  'GET /dashboard/api/providers': {
    operationId: 'listSignInProviders',
    description: 'The identity providers configured here, for the dashboard’s sign-in buttons.',
    errors: ['RATE_LIMITED', ...DB],
    rateLimited: true,
    security: [{}],
  },
  'GET /dashboard': {
    operationId: 'openDashboard',
    description: 'Sends the browser on to `/dashboard/`, where the web app is served.',
    errors: ['RATE_LIMITED', ...DB],
    rateLimited: true,
    security: [{}],
    responses: { 302: redirect('To `/dashboard/`.') },
  },
  'GET /dashboard/{path}': {
    operationId: 'getDashboardFile',
    description:
      'A file of the dashboard’s build; any other path answers the app’s page, whose own router shows that view. Hashed files under `assets/` are cached for good and a missing one is 404; the page is never cached. 503 while the dashboard is not built.',
    errors: ['NOT_FOUND', 'RATE_LIMITED', ...DB],
    rateLimited: true,
    security: [{}],
    responses: {
      200: {
        description: 'The file, or the app’s page (`text/html`).',
        content: {
          'text/html': { schema: { type: 'string', description: 'The app’s page.' } },
          'text/javascript': { schema: { type: 'string', description: 'A script of the build.' } },
          'text/css': { schema: { type: 'string', description: 'A style sheet of the build.' } },
        },
      },
    },
  },
};
