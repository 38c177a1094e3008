import type { OperationDoc } from './operation-doc.js';
import { AUTH_PAGE, BODY, html, redirect } from './operation-parts.js';

/** Signing in under /auth: browser sign-in, device sign-in, tokens and the pages. */
export const SIGN_IN_OPERATIONS: Record<string, OperationDoc> = {
  'GET /auth/{provider}/start': {
    operationId: 'startSignIn',
    description:
      'Starts a browser sign-in with the provider (authorization code flow with PKCE): sets a short-lived state cookie and redirects to the provider. `redirect_to` must be a path here or on an allowed origin; anything else is replaced by the default.',
    errors: ['VALIDATION_FAILED', ...AUTH_PAGE],
    rateLimited: true,
    security: [{}],
    responses: { 302: redirect('To the provider’s authorization page.') },
  },
  'GET /auth/{provider}/callback': {
    operationId: 'finishSignIn',
    description:
      'The provider sends the browser back here. The first sign-in signs the person up. Sets the session cookie (`lh_session`) and the CSRF cookie (`lh_csrf`), then redirects to `redirect_to`. A refusal by the provider (`error`) shows a page.',
    errors: ['VALIDATION_FAILED', 'SIGN_IN_FAILED', ...AUTH_PAGE],
    rateLimited: true,
    security: [{}],
    responses: {
      303: {
        ...redirect('Signed in: on to `redirect_to`.'),
        headers: {
          ...redirect('').headers,
          'Set-Cookie': { description: 'The session cookie `lh_session` (HttpOnly) and the CSRF cookie `lh_csrf`.', schema: { type: 'string' } },
        },
      },
      400: html('The provider refused or the person cancelled (`error` was given).'),
    },
  },
  'POST /auth/device/code': {
    operationId: 'startDeviceSignIn',
    description: 'RFC 8628 device authorization, as form fields or JSON: show `user_code` and `verification_uri` to the person, then poll `POST /auth/token`.',
    errors: [...BODY, ...AUTH_PAGE],
    rateLimited: true,
    security: [{}],
    oauthErrors: [401],
  },
  'POST /auth/token': {
    operationId: 'exchangeToken',
    description:
      'The token endpoint. `grant_type=urn:ietf:params:oauth:grant-type:device_code` answers `authorization_pending`, `slow_down`, `access_denied` or `expired_token` until the person decides; `grant_type=refresh_token` rotates the refresh token (a reused one revokes its whole sign-in).',
    errors: [...BODY, ...AUTH_PAGE],
    rateLimited: true,
    security: [{}],
    oauthErrors: [400, 401],
  },
  'POST /auth/logout': {
    operationId: 'signOut',
    description:
      'Revokes the refresh token’s whole family (programs), and the browser session when its cookie is sent; a cookie sign-out needs the CSRF token (`x-csrf-token` header or `csrf_token` field).',
    errors: [...BODY, 'FORBIDDEN', ...AUTH_PAGE],
    rateLimited: true,
    security: [{}, { browserCookie: [] }],
  },
  'GET /auth/device': {
    operationId: 'showDeviceConfirmation',
    description:
      'The page where a signed-in person checks the code their program shows and approves or denies it; without a session it offers the sign-in providers.',
    errors: ['VALIDATION_FAILED', ...AUTH_PAGE],
    rateLimited: true,
    security: [{}, { browserCookie: [] }],
    responses: { 200: html('The confirmation page, or the sign-in links.') },
  },
  'POST /auth/device': {
    operationId: 'decideDeviceSignIn',
    description: 'The confirmation form: approves or denies a program’s sign-in. Needs the session cookie and the CSRF token of the page.',
    errors: [...BODY, ...AUTH_PAGE],
    rateLimited: true,
    security: [{ browserCookie: [] }],
    responses: {
      200: html('Approved or denied.'),
      401: html('Not signed in: the sign-in links.'),
      403: html('The CSRF token is missing or wrong.'),
      404: html('The code is unknown or expired.'),
    },
  },
  'GET /auth/invitations/{token}': {
    operationId: 'showInvitation',
    description: 'The invitation link: offers the sign-in providers, then a form to accept.',
    errors: ['VALIDATION_FAILED', ...AUTH_PAGE],
    rateLimited: true,
    security: [{}, { browserCookie: [] }],
    responses: { 200: html('The page to sign in, or to accept.') },
  },
  'POST /auth/invitations/{token}': {
    operationId: 'acceptInvitationPage',
    description: 'The accept form of the invitation page. Needs the session cookie and the CSRF token of the page.',
    errors: [...BODY, ...AUTH_PAGE],
    rateLimited: true,
    security: [{ browserCookie: [] }],
    responses: {
      200: html('Joined.'),
      401: html('Not signed in: the sign-in links.'),
      403: html('Refused: wrong CSRF token, or the invitation is for another address.'),
      404: html('The invitation is unknown, used, revoked or expired.'),
    },
  },
};
