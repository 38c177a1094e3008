import type { ErrorCode } from '@leasehold/protocol/errors';

/** An OpenAPI fragment, written as it appears in the document. */
// biome-ignore lint/suspicious/noExplicitAny: OpenAPI objects are free-form JSON.
export type OpenApiFragment = Record<string, any>;

/**
 * What the OpenAPI document says about one operation beyond its route's schemas:
 * a method-like name, a description, and the problems it can really answer. Kept
 * beside, not inside, the routes so documentation and handlers change independently.
 */
export interface OperationDoc {
  operationId: string;
  description: string;
  /** The problem codes this operation answers (INTERNAL_ERROR is added to every one). */
  errors: ErrorCode[];
  /** Whether answers carry the rate limiter's `RateLimit-Remaining` header. */
  rateLimited?: boolean;
  /** Replaces the route's security requirements. */
  security?: Record<string, string[]>[];
  /** Replaces the generated success answers (redirects, HTML, text). */
  responses?: Record<string, OpenApiFragment>;
  /** Replaces the generated request body (for routes that read raw bytes). */
  requestBody?: OpenApiFragment;
  /** Extra parameters (headers the handler reads itself). */
  parameters?: OpenApiFragment[];
  /** OAuth endpoints answer OAuth errors (application/json) at these statuses. */
  oauthErrors?: number[];
}

const BODY: ErrorCode[] = ['VALIDATION_FAILED', 'MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const DB: ErrorCode[] = ['SERVICE_UNAVAILABLE'];
const ADMIN: ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', ...DB];
const ADMIN_READ: ErrorCode[] = ['VALIDATION_FAILED', ...ADMIN];
const ADMIN_ONE: ErrorCode[] = ['VALIDATION_FAILED', 'NOT_FOUND', ...ADMIN];
const ADMIN_WRITE: ErrorCode[] = [...BODY, ...ADMIN];
const ADMIN_CHANGE: ErrorCode[] = [...BODY, 'NOT_FOUND', ...ADMIN];
const USER: ErrorCode[] = ['UNAUTHENTICATED', 'TOKEN_INVALID', 'RATE_LIMITED', ...DB];
/** Organisation routes: a non-member is told the organisation does not exist; a too-low role is FORBIDDEN. */
const MEMBER: ErrorCode[] = ['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN', ...USER];
const MEMBER_WRITE: ErrorCode[] = [...BODY, 'NOT_FOUND', 'FORBIDDEN', ...USER];
const LICENSE_REFUSALS: ErrorCode[] = ['LICENSE_NOT_FOUND', 'LICENSE_SUSPENDED', 'LICENSE_REVOKED', 'LICENSE_EXPIRED'];
const SESSION: ErrorCode[] = [...BODY, 'SESSION_NOT_FOUND', ...DB];
const AUTH_PAGE: ErrorCode[] = ['RATE_LIMITED', ...DB];

const html = (description: string): OpenApiFragment => ({
  description,
  content: { 'text/html': { schema: { type: 'string', description: 'A small server-rendered page without scripts.' } } },
});
const redirect = (description: string): OpenApiFragment => ({
  description,
  headers: { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri-reference' } } },
});
const userSecurity: Record<string, string[]>[] = [{ userToken: [] }, { browserCookie: [] }];

/** Every documented operation, by `METHOD /path` as it appears in the document. */
export const OPERATIONS: Record<string, OperationDoc> = {
  // ---- Licensing ------------------------------------------------------------
  'POST /api/v1/licenses/acquire': {
    operationId: 'acquireSeat',
    description:
      'Takes a seat of the license the `licenseKey` opens — or, without a key, of the signed-in person’s organisation (send `Authorization: Bearer <access token>`). ' +
      'A repeated `idempotencyKey` from the same fingerprint returns the earlier session with a new secret instead of taking another seat. ' +
      'When every seat is held the answer is 409 NO_SEAT_AVAILABLE with who holds them, when the next frees (`nextFreeAt`) and `Retry-After`.',
    errors: [
      ...BODY,
      'INVALID_LICENSE_KEY',
      'UNAUTHENTICATED',
      'TOKEN_INVALID',
      ...LICENSE_REFUSALS,
      'NO_SEAT_AVAILABLE',
      'ALREADY_EXISTS',
      'RATE_LIMITED',
      ...DB,
    ],
    rateLimited: true,
    // The license key travels in the body; without one, a signed-in person's token authorises the seat.
    security: [{}, { userToken: [] }],
  },
  'POST /api/v1/licenses/heartbeat': {
    operationId: 'heartbeat',
    description:
      'Renews the lease by the plan’s TTL; send it every `heartbeatIntervalSeconds`. Authorised by the session ID and secret in the body. ' +
      'After the lease ran out it takes a free seat again (`reacquired: true`) or answers 409 SESSION_EXPIRED. The lease token is re-signed only once half its lease has passed.',
    errors: [...SESSION, 'SESSION_EXPIRED', ...LICENSE_REFUSALS],
    security: [{}],
  },
  'POST /api/v1/licenses/release': {
    operationId: 'releaseSeat',
    description: 'Frees the seat at once. Authorised by the session ID and secret in the body. Repeating it is safe.',
    errors: SESSION,
    security: [{}],
  },
  'POST /api/v1/licenses/borrow': {
    operationId: 'borrowSeat',
    description:
      'Checks a held seat out for offline use: the seat stays held until `borrowedUntil` and the returned lease token is valid offline that long. ' +
      'Limited by the plan’s `maxBorrowSeconds` (409 BORROW_NOT_ALLOWED answers the limit). Authorised by the session ID and secret in the body.',
    errors: [...SESSION, 'SESSION_EXPIRED', 'BORROW_NOT_ALLOWED', ...LICENSE_REFUSALS],
    security: [{}],
  },
  'POST /api/v1/licenses/return': {
    operationId: 'returnBorrowedSeat',
    description: 'Ends a borrow early and frees the seat. Authorised by the session ID and secret in the body.',
    errors: SESSION,
    security: [{}],
  },
  'POST /api/v1/licenses/validate': {
    operationId: 'validateLicense',
    description:
      'Checks a license key (with its product) or a lease token without taking a seat. A license that cannot be used is an answer here, not an error: `valid: false` with the `code` and `detail`.',
    errors: [...BODY, 'INVALID_LICENSE_KEY', 'RATE_LIMITED', ...DB],
    rateLimited: true,
    security: [{}],
  },
  'GET /.well-known/jwks.json': {
    operationId: 'getSigningKeys',
    description: 'The public Ed25519 keys lease tokens are signed with, by `kid`. Cache it (the answer says for how long) and verify tokens offline.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
  },

  // ---- Administration -------------------------------------------------------
  'POST /api/v1/admin/products': {
    operationId: 'createProduct',
    description: 'Adds a product. Its `code` is what programs send as `product`; it is unique and never changes.',
    errors: [...ADMIN_WRITE, 'ALREADY_EXISTS'],
    rateLimited: true,
  },
  'GET /api/v1/admin/products': {
    operationId: 'listProducts',
    description: 'Every product, oldest first, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/products/{id}': { operationId: 'getProduct', description: 'One product by ID.', errors: ADMIN_ONE, rateLimited: true },
  'PATCH /api/v1/admin/products/{id}': {
    operationId: 'updateProduct',
    description: 'Renames a product; its code stays.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  'POST /api/v1/admin/plans': {
    operationId: 'createPlan',
    description:
      'Adds a plan to a product. Defaults: 1 seat, machine basis, lease TTL 360 s, heartbeat every 60 s, 1 day offline grace, no borrowing, no overage. The heartbeat must be shorter than the lease TTL.',
    errors: [...ADMIN_WRITE, 'NOT_FOUND', 'ALREADY_EXISTS'],
    rateLimited: true,
  },
  'GET /api/v1/admin/plans': {
    operationId: 'listPlans',
    description: 'Every plan, or one product’s, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/plans/{id}': { operationId: 'getPlan', description: 'One plan by ID.', errors: ADMIN_ONE, rateLimited: true },
  'PATCH /api/v1/admin/plans/{id}': {
    operationId: 'updatePlan',
    description: 'Changes a plan’s terms. Its licenses follow at once, except where a license overrides a term.',
    errors: [...ADMIN_CHANGE, 'ALREADY_EXISTS'],
    rateLimited: true,
  },
  'POST /api/v1/admin/organisations': {
    operationId: 'createOrganisation',
    description: 'Adds a customer organisation. A key bound to one organisation cannot.',
    errors: ADMIN_WRITE,
    rateLimited: true,
  },
  'GET /api/v1/admin/organisations': {
    operationId: 'listOrganisations',
    description: 'Every organisation the key may see, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/organisations/{id}': { operationId: 'getOrganisation', description: 'One organisation by ID.', errors: ADMIN_ONE, rateLimited: true },
  'PATCH /api/v1/admin/organisations/{id}': {
    operationId: 'updateOrganisation',
    description: 'Renames an organisation or replaces its metadata.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses': {
    operationId: 'issueLicense',
    description: 'Issues a license to an organisation under a plan. The answer holds the license key: it is shown this once and stored only as a hash.',
    errors: [...ADMIN_WRITE, 'NOT_FOUND'],
    rateLimited: true,
  },
  'GET /api/v1/admin/licenses': {
    operationId: 'listLicenses',
    description: 'Licenses, filtered by organisation, product, plan, status or expiry, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/licenses/{id}': {
    operationId: 'getLicense',
    description: 'One license by ID, with its seats in use.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  'PATCH /api/v1/admin/licenses/{id}': {
    operationId: 'updateLicense',
    description:
      'Changes seats, overage, entitlements, expiry, plan or metadata. null clears an override so the plan applies. Seats below current use refuse new acquires; running sessions are not cut off.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses/{id}/suspend': {
    operationId: 'suspendLicense',
    description: 'Refuses new acquires; running sessions end at their next heartbeat. Reinstate undoes it. A revoked license cannot be suspended.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses/{id}/reinstate': {
    operationId: 'reinstateLicense',
    description: 'Makes a suspended license active again.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses/{id}/revoke': {
    operationId: 'revokeLicense',
    description: 'Ends a license for good: new acquires are refused and running sessions end at their next heartbeat.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses/{id}/rotate-key': {
    operationId: 'rotateLicenseKey',
    description: 'Issues a new license key; the old one stops working at once and running sessions keep their seats. The new key is in this answer only.',
    errors: [...ADMIN_ONE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/licenses/{id}/renew': {
    operationId: 'renewLicense',
    description: 'Sets `expiresAt`, or extends by `extendDays` from the current expiry (or now, if past). An expired license becomes active again.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'GET /api/v1/admin/licenses/{id}/billing': {
    operationId: 'getLicenseBillingHistory',
    description: 'The audit events Stripe caused for this license (actor `stripe`, with the event ID), newest first.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  'GET /api/v1/admin/sessions': {
    operationId: 'listLiveSessions',
    description: 'The sessions holding seats now, filtered by license or organisation, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'POST /api/v1/admin/sessions/{id}/release': {
    operationId: 'forceReleaseSession',
    description: 'Frees a seat at once; the program learns at its next heartbeat.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  'GET /api/v1/admin/audit': {
    operationId: 'queryAuditEvents',
    description: 'Audit events, newest first, filtered by action, actor, organisation, target or time, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/audit/export': {
    operationId: 'exportAuditEvents',
    description: 'Every matching audit event as JSON lines (one `AuditEvent` a line), oldest first, streamed; the same filters as the query, without paging.',
    errors: ADMIN_READ,
    rateLimited: true,
    responses: {
      200: {
        description: 'JSON lines, one audit event each.',
        headers: {
          'Content-Disposition': {
            description: 'A file name for the download.',
            schema: { type: 'string', examples: ['attachment; filename="leasehold-audit.jsonl"'] },
          },
        },
        content: { 'application/x-ndjson': { schema: { $ref: '#/components/schemas/AuditEvent' } } },
      },
    },
  },
  'GET /api/v1/admin/audit/verify': {
    operationId: 'verifyAuditChain',
    description:
      'Recomputes the hash chain and names the first altered or removed event. A key bound to one organisation gets `ok` with 0 events: the chain spans all of them.',
    errors: ADMIN,
    rateLimited: true,
  },
  'POST /api/v1/admin/api-keys': {
    operationId: 'createApiKey',
    description:
      'Creates an API key with scopes. The secret is in this answer only. A key bound to an organisation sees only that organisation and cannot hold vendor-wide scopes.',
    errors: ADMIN_WRITE,
    rateLimited: true,
  },
  'GET /api/v1/admin/api-keys': {
    operationId: 'listApiKeys',
    description: 'Every API key, without secrets, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'POST /api/v1/admin/api-keys/{id}/revoke': {
    operationId: 'revokeApiKey',
    description: 'The key stops working at once.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  'POST /api/v1/admin/organisations/{id}/billing/checkout': {
    operationId: 'startOrganisationCheckout',
    description: 'Starts a Stripe Checkout for a plan on behalf of an organisation and answers its URL. The license follows from the webhook once paid.',
    errors: [...ADMIN_CHANGE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/admin/organisations/{id}/billing/portal': {
    operationId: 'openOrganisationBillingPortal',
    description: 'Opens the Stripe customer portal for an organisation that has a subscription and answers its URL.',
    errors: [...ADMIN_ONE, 'INVALID_STATE'],
    rateLimited: true,
  },

  // ---- Signed-in people -----------------------------------------------------
  'GET /api/v1/me': {
    operationId: 'getMe',
    description: 'The signed-in person and the organisations they belong to, in which role.',
    errors: USER,
    rateLimited: true,
    security: userSecurity,
  },
  'GET /api/v1/orgs/{orgId}/members': {
    operationId: 'listMembers',
    description: 'Every member of the organisation (any member may ask).',
    errors: MEMBER,
    rateLimited: true,
  },
  'PATCH /api/v1/orgs/{orgId}/members/{userId}': {
    operationId: 'changeMemberRole',
    description: 'Owners change roles. The last owner cannot step down: 409 LAST_OWNER.',
    errors: [...MEMBER_WRITE, 'LAST_OWNER'],
    rateLimited: true,
  },
  'DELETE /api/v1/orgs/{orgId}/members/{userId}': {
    operationId: 'removeMember',
    description: 'Admins remove members, owners remove anyone, anyone may remove themselves. The last owner cannot leave or be removed: 409 LAST_OWNER.',
    errors: [...MEMBER, 'LAST_OWNER'],
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/invitations': {
    operationId: 'createInvitation',
    description: 'Owners and admins invite; only owners invite owners. The answer holds a single-use link that expires.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/invitations': {
    operationId: 'listInvitations',
    description: 'The organisation’s invitations (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  'DELETE /api/v1/orgs/{orgId}/invitations/{invitationId}': {
    operationId: 'revokeInvitation',
    description: 'The link stops working (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/invitations/accept': {
    operationId: 'acceptInvitation',
    description: 'Joins the organisation of an invitation as the signed-in person. An invitation for an e-mail address needs that verified address.',
    errors: [...BODY, 'NOT_FOUND', 'FORBIDDEN', ...USER],
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/licenses': {
    operationId: 'listOrganisationLicenses',
    description: 'The organisation’s licenses (any member).',
    errors: MEMBER,
    rateLimited: true,
  },
  'GET /api/v1/orgs/{orgId}/sessions': {
    operationId: 'listOrganisationSessions',
    description: 'Who holds the organisation’s seats now (any member).',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/sessions/{sessionId}/release': {
    operationId: 'freeOrganisationSeat',
    description: 'Ends a session of the organisation at once (owners and admins); its program learns at its next heartbeat.',
    errors: MEMBER,
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/billing/checkout': {
    operationId: 'startCheckout',
    description: 'Owners and admins buy seats: answers the Stripe Checkout URL to send the person to. The license follows from the webhook once paid.',
    errors: [...MEMBER_WRITE, 'INVALID_STATE'],
    rateLimited: true,
  },
  'POST /api/v1/orgs/{orgId}/billing/portal': {
    operationId: 'openBillingPortal',
    description: 'Owners and admins manage the subscription: answers the Stripe customer portal URL.',
    errors: [...MEMBER, 'INVALID_STATE'],
    rateLimited: true,
  },

  // ---- Sign-in (/auth) ------------------------------------------------------
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

  // ---- Operations -----------------------------------------------------------
  'GET /healthz': {
    operationId: 'checkLiveness',
    description: 'Liveness: the process answers. Dependencies are checked by readiness, so an outage of the database does not restart every replica.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
  },
  'GET /readyz': {
    operationId: 'checkReadiness',
    description: 'Readiness: every dependency (database, Redis) answers within 2 s and the server is not shutting down. 503 names what is unreachable.',
    errors: ['VALIDATION_FAILED', 'SERVICE_UNAVAILABLE'],
    security: [{}],
  },
  'GET /metrics': {
    operationId: 'getMetrics',
    description: 'Prometheus metrics: request latency by route, seats in use and total per license, denials, expiries, database and Redis errors.',
    errors: ['VALIDATION_FAILED', ...DB],
    security: [{}],
    responses: {
      200: {
        description: 'The Prometheus text exposition format.',
        content: {
          'text/plain': {
            schema: {
              type: 'string',
              examples: ['# HELP leasehold_seats_in_use Seats held now\nleasehold_seats_in_use{license_id="lic_01jf3k9z8y7x6w5v4t3s2r1q0p"} 3\n'],
            },
          },
        },
      },
    },
  },

  // ---- Stripe ----------------------------------------------------------------
  'POST /webhooks/stripe': {
    operationId: 'receiveStripeEvent',
    description:
      'Stripe’s webhook deliveries. The `Stripe-Signature` header is checked over the raw body (5 minutes tolerance, the previous secret too while rolling it); an unsigned, stale, wrongly signed or malformed delivery gets 400 and changes nothing. ' +
      'Each event ID is applied once, in the same transaction as its effect, and an out-of-order event never moves a license back.',
    errors: ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SERVICE_UNAVAILABLE'],
    security: [{}],
    parameters: [
      {
        name: 'Stripe-Signature',
        in: 'header',
        required: true,
        description: 'Stripe’s signature of the raw body: `t=<unix seconds>,v1=<hex HMAC-SHA256 with the endpoint secret>`.',
        schema: { type: 'string', examples: ['t=1893834000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'] },
      },
    ],
    requestBody: {
      required: true,
      description: 'The event, exactly as Stripe sent it.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/StripeEvent' } } },
    },
    responses: {
      200: {
        description: 'The event is recorded: Stripe stops retrying.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/StripeWebhookAck' } } },
      },
    },
  },
};
