import type { OpenApiFragment, OperationDoc } from './operation-doc.js';
import { ADMIN, ADMIN_CHANGE, ADMIN_ONE, ADMIN_READ, ADMIN_WRITE } from './operation-parts.js';

/** The vendor's administration API under /api/v1/admin. */
export const ADMIN_OPERATIONS: Record<string, OperationDoc> = {
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
  'POST /api/v1/admin/ci-mappings': {
    operationId: 'createCiMapping',
    description:
      'Maps CI jobs to a license: a job whose workload identity token (GitHub Actions OIDC by default) comes from the rule’s issuer and whose claims match its patterns takes seats of the license without a key, one per job. `maxConcurrent` sets the CI pool; `mode: advisory` logs instead of refusing over it (for forks and untrusted refs). When several rules match, the one naming more claims, then with fewer wildcards, wins.',
    errors: [...ADMIN_WRITE, 'NOT_FOUND'],
    rateLimited: true,
  },
  'GET /api/v1/admin/ci-mappings': {
    operationId: 'listCiMappings',
    description: 'Every CI mapping rule the key may see, or one license’s, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'DELETE /api/v1/admin/ci-mappings/{id}': {
    operationId: 'deleteCiMapping',
    description: 'Deletes a rule; jobs holding seats through it keep them until they release or their lease ends.',
    errors: ADMIN_ONE,
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
  'GET /api/v1/admin/licenses/{id}/queue': {
    operationId: 'getLicenseQueue',
    description:
      'Who waits for a seat of this license now, in the order seats go to them: acquires waiting with `wait`, and seats lingering for the machine that just gave them back.',
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
  'GET /api/v1/admin/overview': {
    operationId: 'getOverview',
    description: 'The dashboard’s first screen: seats in use against seats sold, the last 24 hours’ denials and expiries, and the licenses near capacity.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  'GET /api/v1/admin/organisations/{id}/members': {
    operationId: 'listOrganisationMembersAsAdmin',
    description: 'The people of an organisation and their roles, as the vendor sees them, a page at a time in the order of their user IDs.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  'GET /api/v1/admin/licenses/{id}/sessions/live': {
    operationId: 'streamLiveSessions',
    description:
      'Server-sent events: a `snapshot` event with one page of the license’s live sessions (as `GET /api/v1/admin/sessions`: the first, or the one after `cursor`) at once and whenever it changes, checked every second. The stream stays open until the client leaves.',
    errors: ADMIN_ONE,
    rateLimited: true,
    responses: {
      200: {
        description: 'An open event stream; each `snapshot` event’s data is a `SessionPage` as JSON.',
        content: {
          'text/event-stream': {
            schema: { type: 'string', examples: ['event: snapshot\ndata: {"data":[],"nextCursor":null}\n\n'] },
            // What each event's `data` line holds, as JSON.
            'x-event-data': { $ref: '#/components/schemas/SessionPage' },
          },
        },
      },
    },
  },
  'GET /api/v1/admin/licenses/{id}/usage': {
    operationId: 'getLicenseUsage',
    description:
      'Peak and average seats held (sessions sharing a seat-basis key hold one), denials for want of a seat and utilisation against the seats sold in force at the time, per hour or day, over up to a year, from the hourly rollup; `format=csv` for a spreadsheet.',
    errors: ADMIN_ONE,
    rateLimited: true,
    responses: usageAnswer('LicenseUsage', 'start,seats,peak,average,denials,utilisation'),
  },
  'GET /api/v1/admin/usage': {
    operationId: 'getUsageSummary',
    description:
      'The seat usage of every active license over a period, ordered by denials (who needs more seats) or utilisation (who pays for seats they do not use); `format=csv` for a spreadsheet.',
    errors: ADMIN_READ,
    rateLimited: true,
    responses: usageAnswer('UsageSummary', 'licenseId,organisationId,seats,peak,average,denials,utilisation'),
  },
  'POST /api/v1/admin/staff': {
    operationId: 'setStaff',
    description:
      'Grants or withdraws a person’s staff role: staff who sign in with an identity provider use the dashboard as a vendor-wide key would. A key bound to one organisation cannot.',
    errors: [...ADMIN_WRITE, 'NOT_FOUND'],
    rateLimited: true,
  },
};

/** The usage answers: JSON, or the same rows as CSV with `format=csv`. */
function usageAnswer(component: string, columns: string): Record<string, OpenApiFragment> {
  return {
    200: {
      description: 'The usage, as JSON or (with `format=csv`) as CSV.',
      content: {
        'application/json': { schema: { $ref: `#/components/schemas/${component}` } },
        'text/csv': { schema: { type: 'string', description: 'One row per entry, with a header row.', examples: [`${columns}\n`] } },
      },
    },
  };
}
