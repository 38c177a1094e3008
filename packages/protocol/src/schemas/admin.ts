import { z } from 'zod';
import { code, entitlements, fingerprint, id, licenseStatus, page, pageQueryOf, seatBasis, seqPageQuery, timestamp } from './common.js';
import { EXAMPLE_API_KEY_SECRET, EXAMPLE_FINGERPRINT, EXAMPLE_IDS, EXAMPLE_LICENSE_KEY, EXAMPLE_TIMES } from './examples.js';

const name = z.string().trim().min(1).max(200);
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const metadata = z
  .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 keys' })
  .describe('Your own key-value data (at most 50 keys), kept and returned as given.')
  .meta({ examples: [{ crmAccount: 'ACME-0042' }] });
const createdAt = timestamp.describe('When it was created.');
const updatedAt = timestamp.describe('When it last changed.').meta({ examples: [EXAMPLE_TIMES.updated] });

// ---- Products ---------------------------------------------------------------
export const product = z
  .object({
    id: id('product').describe('The product.'),
    code: code.describe('The short code programs name the product by (`product` in acquire).'),
    name: name.describe('The name shown to people.').meta({ examples: ['CODITECT'] }),
    createdAt,
    updatedAt,
  })
  .meta({
    id: 'Product',
    description: 'The software being licensed.',
    examples: [{ id: EXAMPLE_IDS.product, code: 'coditect', name: 'CODITECT', createdAt: EXAMPLE_TIMES.created, updatedAt: EXAMPLE_TIMES.updated }],
  });
export type Product = z.infer<typeof product>;
export const createProduct = z
  .strictObject({
    code: code.describe('The short code programs name the product by; unique, cannot change.'),
    name: name.describe('The name shown to people.').meta({ examples: ['CODITECT'] }),
  })
  .meta({ id: 'CreateProduct', description: 'A new product.', examples: [{ code: 'coditect', name: 'CODITECT' }] });
export const updateProduct = z
  .strictObject({
    name: name
      .optional()
      .describe('The new name.')
      .meta({ examples: ['CODITECT Studio'] }),
  })
  .meta({ id: 'UpdateProduct', description: 'The fields to change; the code never changes.' });
export const productPage = page(product).meta({ id: 'ProductPage', description: 'A page of products.' });

// ---- Plans ------------------------------------------------------------------
/** The terms a license is issued under. Every field but product, code and name has a default. */
export const planTerms = {
  seats: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .describe('Seats of a license under this plan (a license may override it).')
    .meta({ examples: [5] }),
  seatBasis,
  leaseTtlSeconds: seconds(5, 86_400)
    .describe('How long a lease lasts after each heartbeat, in seconds.')
    .meta({ examples: [360] }),
  heartbeatIntervalSeconds: seconds(1, 43_200)
    .describe('How often programs heartbeat, in seconds; shorter than the lease TTL.')
    .meta({ examples: [60] }),
  offlineGraceSeconds: seconds(0, 90 * 86_400)
    .describe('How long a lease token stays valid offline after the lease ends, in seconds.')
    .meta({ examples: [86_400] }),
  maxBorrowSeconds: seconds(0, 90 * 86_400)
    .describe('The longest borrow, in seconds; 0 allows none.')
    .meta({ examples: [604_800] }),
  maxQueueWaitSeconds: seconds(0, 86_400)
    .describe('The longest an acquire may wait in the queue for a seat (`wait`), in seconds; 0 turns the queue off.')
    .meta({ examples: [600] }),
  lingerSeconds: seconds(0, 3_600)
    .describe(
      'After a release, the seat stays held back this many seconds for the same machine (or signed-in person), so a tool run in a loop keeps its seat between runs; 0: none.',
    )
    .meta({ examples: [30] }),
  queuePriorities: z
    .boolean()
    .describe("Whether an acquire's `priority` (high, normal, low) orders the seat queue; otherwise every waiter is normal.")
    .meta({ examples: [false] }),
  overage: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .describe('Seats allowed beyond `seats` (counted and audited as overage).')
    .meta({ examples: [0] }),
  entitlements,
  durationDays: z
    .number()
    .int()
    .min(1)
    .max(36_500)
    .nullable()
    .describe('For trials: licenses expire this many days after issue; null for no expiry.')
    .meta({ examples: [null] }),
  stripePriceId: z
    .string()
    .min(1)
    .max(255)
    .nullable()
    .describe('The Stripe price sold as this plan; null when not sold through Stripe.')
    .meta({ examples: ['price_1QZx8kLk2m4N6p8R0t2v4x6z'] }),
};

const planCode = code.describe('The short code of the plan, unique within its product.').meta({ examples: ['team'] });
const planName = name.describe('The name shown to people.').meta({ examples: ['Team'] });
const examplePlan = {
  id: EXAMPLE_IDS.plan,
  productId: EXAMPLE_IDS.product,
  code: 'team',
  name: 'Team',
  seats: 5,
  seatBasis: 'machine',
  leaseTtlSeconds: 360,
  heartbeatIntervalSeconds: 60,
  offlineGraceSeconds: 86_400,
  maxBorrowSeconds: 604_800,
  maxQueueWaitSeconds: 600,
  lingerSeconds: 0,
  queuePriorities: false,
  overage: 0,
  entitlements: ['pro', 'export:pdf'],
  durationDays: null,
  stripePriceId: 'price_1QZx8kLk2m4N6p8R0t2v4x6z',
  createdAt: EXAMPLE_TIMES.created,
  updatedAt: EXAMPLE_TIMES.updated,
};

export const plan = z
  .object({
    id: id('plan').describe('The plan.'),
    productId: id('product').describe('The product it licenses.'),
    code: planCode,
    name: planName,
    ...planTerms,
    createdAt,
    updatedAt,
  })
  .meta({ id: 'Plan', description: 'The terms licenses are issued under.', examples: [examplePlan] });
export type Plan = z.infer<typeof plan>;

const heartbeatBelowTtl = (p: { leaseTtlSeconds?: number; heartbeatIntervalSeconds?: number }) =>
  p.leaseTtlSeconds === undefined || p.heartbeatIntervalSeconds === undefined || p.heartbeatIntervalSeconds < p.leaseTtlSeconds;
const heartbeatIssue = {
  message: 'heartbeatIntervalSeconds must be shorter than leaseTtlSeconds',
  path: ['heartbeatIntervalSeconds'],
};

export const createPlan = z
  .strictObject({
    productId: id('product').describe('The product it licenses.'),
    code: planCode,
    name: planName,
    seats: planTerms.seats.default(1),
    seatBasis: planTerms.seatBasis.default('machine'),
    leaseTtlSeconds: planTerms.leaseTtlSeconds.default(360),
    heartbeatIntervalSeconds: planTerms.heartbeatIntervalSeconds.default(60),
    offlineGraceSeconds: planTerms.offlineGraceSeconds.default(86_400),
    maxBorrowSeconds: planTerms.maxBorrowSeconds.default(0),
    maxQueueWaitSeconds: planTerms.maxQueueWaitSeconds.default(600),
    lingerSeconds: planTerms.lingerSeconds.default(0),
    queuePriorities: planTerms.queuePriorities.default(false),
    overage: planTerms.overage.default(0),
    entitlements: planTerms.entitlements.default([]),
    durationDays: planTerms.durationDays.default(null),
    stripePriceId: planTerms.stripePriceId.default(null),
  })
  .refine(heartbeatBelowTtl, heartbeatIssue)
  .meta({
    id: 'CreatePlan',
    description: 'A new plan. Every term but product, code and name has a default.',
    examples: [{ productId: EXAMPLE_IDS.product, code: 'team', name: 'Team', seats: 5, entitlements: ['pro', 'export:pdf'], maxBorrowSeconds: 604_800 }],
  });
export type CreatePlan = z.infer<typeof createPlan>;

export const updatePlan = z
  .strictObject({
    name: planName.optional(),
    seats: planTerms.seats.optional(),
    seatBasis: planTerms.seatBasis.optional(),
    leaseTtlSeconds: planTerms.leaseTtlSeconds.optional(),
    heartbeatIntervalSeconds: planTerms.heartbeatIntervalSeconds.optional(),
    offlineGraceSeconds: planTerms.offlineGraceSeconds.optional(),
    maxBorrowSeconds: planTerms.maxBorrowSeconds.optional(),
    maxQueueWaitSeconds: planTerms.maxQueueWaitSeconds.optional(),
    lingerSeconds: planTerms.lingerSeconds.optional(),
    queuePriorities: planTerms.queuePriorities.optional(),
    overage: planTerms.overage.optional(),
    entitlements: planTerms.entitlements.optional(),
    durationDays: planTerms.durationDays.optional(),
    stripePriceId: planTerms.stripePriceId.optional(),
  })
  .refine(heartbeatBelowTtl, heartbeatIssue)
  .meta({
    id: 'UpdatePlan',
    description: 'The terms to change. Licenses follow at once, except where they override a term.',
    examples: [{ seats: 10, overage: 2 }],
  });
export type UpdatePlan = z.infer<typeof updatePlan>;
export const planQuery = pageQueryOf('plan').extend({ productId: id('product').optional().describe("Only this product's plans.") });
export const planPage = page(plan).meta({ id: 'PlanPage', description: 'A page of plans.' });

// ---- Organisations ----------------------------------------------------------
const orgName = name.describe('The name of the customer.').meta({ examples: ['Acme'] });
export const organisation = z.object({ id: id('organisation').describe('The organisation.'), name: orgName, metadata, createdAt, updatedAt }).meta({
  id: 'Organisation',
  description: 'A tenant: one customer company.',
  examples: [
    { id: EXAMPLE_IDS.organisation, name: 'Acme', metadata: { crmAccount: 'ACME-0042' }, createdAt: EXAMPLE_TIMES.created, updatedAt: EXAMPLE_TIMES.updated },
  ],
});
export type Organisation = z.infer<typeof organisation>;
export const createOrganisation = z
  .strictObject({ name: orgName, metadata: metadata.default({}) })
  .meta({ id: 'CreateOrganisation', description: 'A new organisation.', examples: [{ name: 'Acme', metadata: { crmAccount: 'ACME-0042' } }] });
export const updateOrganisation = z
  .strictObject({ name: orgName.optional(), metadata: metadata.optional().describe('Replaces the whole metadata object.') })
  .meta({ id: 'UpdateOrganisation', description: 'The fields to change.', examples: [{ name: 'Acme Corporation' }] });
export const organisationPage = page(organisation).meta({ id: 'OrganisationPage', description: 'A page of organisations.' });

// ---- Licenses ---------------------------------------------------------------
const exampleLicense = {
  id: EXAMPLE_IDS.license,
  organisationId: EXAMPLE_IDS.organisation,
  productId: EXAMPLE_IDS.product,
  planId: EXAMPLE_IDS.plan,
  status: 'active',
  keyHint: EXAMPLE_LICENSE_KEY.slice(-5),
  seats: 5,
  overage: 0,
  seatBasis: 'machine',
  entitlements: ['pro', 'export:pdf'],
  overrides: { seats: null, overage: null, entitlements: null },
  seatsInUse: 3,
  expiresAt: EXAMPLE_TIMES.licenseExpires,
  metadata: {},
  createdAt: EXAMPLE_TIMES.created,
  updatedAt: EXAMPLE_TIMES.updated,
};
const licenseFields = {
  id: id('license').describe('The license.'),
  organisationId: id('organisation').describe('The organisation holding it.'),
  productId: id('product').describe('The product it licenses.'),
  planId: id('plan').describe('The plan it is issued under.'),
  status: licenseStatus,
  /** The last five characters of the key, to recognise it; the key itself is never stored. */
  keyHint: z
    .string()
    .describe('The last five characters of the key, to recognise it; the key itself is never stored.')
    .meta({ examples: [EXAMPLE_LICENSE_KEY.slice(-5)] }),
  seats: z.number().int().describe("The seats in effect: the override, or the plan's."),
  overage: z.number().int().describe("The overage in effect: the override, or the plan's."),
  seatBasis,
  entitlements: entitlements.describe("The entitlements in effect: the override, or the plan's."),
  /** Overrides of the plan's terms on this license; null where the plan's value applies. */
  overrides: z
    .object({
      seats: z.number().int().nullable().describe('Seats set on this license; null: the plan applies.'),
      overage: z.number().int().nullable().describe('Overage set on this license; null: the plan applies.'),
      entitlements: entitlements.nullable().describe('Entitlements set on this license; null: the plan applies.'),
    })
    .describe("This license's own terms; null where the plan's value applies."),
  seatsInUse: z.number().int().describe('Seats held now.'),
  expiresAt: timestamp
    .nullable()
    .describe('When it expires; null if never.')
    .meta({ examples: [EXAMPLE_TIMES.licenseExpires] }),
  metadata,
  createdAt,
  updatedAt,
};
export const license = z
  .object(licenseFields)
  .meta({ id: 'License', description: "One organisation's right to one product under one plan.", examples: [exampleLicense] });
export type License = z.infer<typeof license>;

export const createLicense = z
  .strictObject({
    organisationId: id('organisation').describe('The organisation to issue it to.'),
    planId: id('plan').describe('The plan to issue it under (it names the product).'),
    seats: z.number().int().min(1).max(1_000_000).optional().describe("Seats, instead of the plan's."),
    overage: z.number().int().min(0).max(1_000_000).optional().describe("Overage, instead of the plan's."),
    entitlements: entitlements.optional().describe("Entitlements, instead of the plan's."),
    expiresAt: timestamp
      .nullable()
      .optional()
      .describe("When it expires; null never; omitted: the plan's `durationDays` from now, or never.")
      .meta({ examples: [EXAMPLE_TIMES.licenseExpires] }),
    metadata: metadata.default({}),
    sendKeyTo: z
      .email()
      .max(320)
      .optional()
      .describe('Also mail the license key to this address (it is in the answer either way).')
      .meta({ examples: ['it@acme.example'] }),
  })
  .meta({
    id: 'CreateLicense',
    description: 'A license to issue.',
    examples: [{ organisationId: EXAMPLE_IDS.organisation, planId: EXAMPLE_IDS.plan, expiresAt: EXAMPLE_TIMES.licenseExpires }],
  });
export type CreateLicense = z.infer<typeof createLicense>;

/** A license as returned once, at creation: the only time the key is shown. */
export const createdLicense = z
  .object({
    ...licenseFields,
    key: z
      .string()
      .describe('The license key, shown only in this answer: give it to the customer.')
      .meta({ examples: [EXAMPLE_LICENSE_KEY] }),
  })
  .meta({
    id: 'CreatedLicense',
    description: 'A license with its key, as answered once, when the key is made.',
    examples: [{ ...exampleLicense, key: EXAMPLE_LICENSE_KEY }],
  });

export const updateLicense = z
  .strictObject({
    seats: z.number().int().min(1).max(1_000_000).nullable().optional().describe("Seats; null: the plan's."),
    overage: z.number().int().min(0).max(1_000_000).nullable().optional().describe("Overage; null: the plan's."),
    entitlements: entitlements.nullable().optional().describe("Entitlements; null: the plan's."),
    expiresAt: timestamp
      .nullable()
      .optional()
      .describe('When it expires; null: never.')
      .meta({ examples: [EXAMPLE_TIMES.licenseExpires] }),
    planId: id('plan').optional().describe('Another plan of the same product.'),
    metadata: metadata.optional().describe('Replaces the whole metadata object.'),
  })
  .meta({ id: 'UpdateLicense', description: 'The fields to change; null clears an override so the plan applies.', examples: [{ seats: 10 }] });
export type UpdateLicense = z.infer<typeof updateLicense>;

export const renewLicense = z
  .strictObject({
    expiresAt: timestamp
      .optional()
      .describe('The new expiry (give this or `extendDays`).')
      .meta({ examples: [EXAMPLE_TIMES.licenseExpires] }),
    extendDays: z
      .number()
      .int()
      .min(1)
      .max(36_500)
      .optional()
      .describe('Days to add to the current expiry, or to now if it is past.')
      .meta({ examples: [365] }),
  })
  .refine((v) => (v.expiresAt === undefined) !== (v.extendDays === undefined), {
    message: 'give exactly one of expiresAt or extendDays',
    path: ['expiresAt'],
  })
  .meta({ id: 'RenewLicense', description: 'A new expiry, or days to extend by: exactly one of the two.', examples: [{ extendDays: 365 }] });
export type RenewLicense = z.infer<typeof renewLicense>;

export const licenseAction = z
  .strictObject({
    reason: z
      .string()
      .max(500)
      .optional()
      .describe('Why, for the audit log.')
      .meta({ examples: ['Invoice 2030-014 unpaid'] }),
  })
  .meta({ id: 'LicenseAction', description: 'Why the status changes; the body may be left out.', examples: [{ reason: 'Invoice 2030-014 unpaid' }] });

export const licenseQuery = pageQueryOf('license').extend({
  organisationId: id('organisation').optional().describe("Only this organisation's licenses."),
  productId: id('product').optional().describe("Only this product's licenses."),
  planId: id('plan').optional().describe("Only this plan's licenses."),
  status: licenseStatus.optional().describe('Only licenses in this status.'),
  expiresBefore: timestamp.optional().describe('Only licenses that expire before this moment.'),
});
export type LicenseQuery = z.infer<typeof licenseQuery>;
export const licensePage = page(license).meta({ id: 'LicensePage', description: 'A page of licenses.' });

// ---- Sessions ---------------------------------------------------------------
export const session = z
  .object({
    id: id('session').describe('The session.'),
    licenseId: id('license').describe('The license it holds a seat of.'),
    organisationId: id('organisation').describe("The license's organisation."),
    userId: z
      .string()
      .nullable()
      .describe('The signed-in person, when the seat was taken by signing in.')
      .meta({ examples: [EXAMPLE_IDS.user] }),
    userEmail: z
      .string()
      .nullable()
      .describe("That person's e-mail address, as their account holds it; null without a signed-in person.")
      .meta({ examples: [null] }),
    fingerprint: fingerprint.describe('The machine.'),
    hostname: z
      .string()
      .nullable()
      .describe('The host name the program reported.')
      .meta({ examples: ['alice-laptop'] }),
    platform: z
      .string()
      .nullable()
      .describe('The platform the program reported.')
      .meta({ examples: ['darwin-arm64'] }),
    clientVersion: z
      .string()
      .nullable()
      .describe('The program version it reported.')
      .meta({ examples: ['coditect/2.4.1'] }),
    ip: z
      .string()
      .nullable()
      .describe('The address it acquired from.')
      .meta({ examples: ['203.0.113.24'] }),
    startedAt: timestamp.describe('When it took the seat.').meta({ examples: [EXAMPLE_TIMES.acquired] }),
    lastHeartbeatAt: timestamp.describe('Its last heartbeat.').meta({ examples: [EXAMPLE_TIMES.heartbeat] }),
    expiresAt: timestamp.describe('When the seat frees unless renewed.').meta({ examples: [EXAMPLE_TIMES.leaseExpires] }),
    borrowedUntil: timestamp
      .nullable()
      .describe('The end of a borrow; null when not borrowed.')
      .meta({ examples: [null] }),
  })
  .meta({
    id: 'Session',
    description: 'One running copy of the program holding a seat.',
    examples: [
      {
        id: EXAMPLE_IDS.session,
        licenseId: EXAMPLE_IDS.license,
        organisationId: EXAMPLE_IDS.organisation,
        userId: null,
        userEmail: null,
        fingerprint: EXAMPLE_FINGERPRINT,
        hostname: 'alice-laptop',
        platform: 'darwin-arm64',
        clientVersion: 'coditect/2.4.1',
        ip: '203.0.113.24',
        startedAt: EXAMPLE_TIMES.acquired,
        lastHeartbeatAt: EXAMPLE_TIMES.heartbeat,
        expiresAt: EXAMPLE_TIMES.leaseExpires,
        borrowedUntil: null,
      },
    ],
  });
export type Session = z.infer<typeof session>;
export const sessionQuery = pageQueryOf('session').extend({
  licenseId: id('license').optional().describe("Only this license's sessions."),
  organisationId: id('organisation').optional().describe("Only this organisation's sessions."),
});
export const sessionPage = page(session).meta({ id: 'SessionPage', description: 'A page of live sessions.' });

// ---- API keys ---------------------------------------------------------------
export const API_KEY_SCOPES = [
  'products:read',
  'products:write',
  'plans:read',
  'plans:write',
  'organisations:read',
  'organisations:write',
  'licenses:read',
  'licenses:write',
  'sessions:read',
  'sessions:write',
  'audit:read',
  'api-keys:write',
  'webhooks:read',
  'webhooks:write',
] as const;
export const apiKeyScope = z
  .enum([...API_KEY_SCOPES, '*'])
  .meta({ id: 'ApiKeyScope', description: 'What an API key may do: `<resource>:read` or `:write`; `*` grants every scope.' });
export type ApiKeyScope = z.infer<typeof apiKeyScope>;

const apiKeyFields = {
  id: id('apiKey').describe('The API key.'),
  name: name.describe('What the key is for.').meta({ examples: ['Billing back office'] }),
  scopes: z.array(apiKeyScope).describe('What the key may do.'),
  /** When set, the key sees and changes only this organisation's data. */
  organisationId: id('organisation').nullable().describe("When set, the key sees and changes only this organisation's data."),
  hint: z
    .string()
    .describe('The last characters of the secret, to recognise it.')
    .meta({ examples: ['Ra9V'] }),
  createdAt,
  lastUsedAt: timestamp
    .nullable()
    .describe('When it last authenticated a request; null if never.')
    .meta({ examples: [EXAMPLE_TIMES.heartbeat] }),
  revokedAt: timestamp
    .nullable()
    .describe('When it was revoked; null while it works.')
    .meta({ examples: [null] }),
};
const exampleApiKey = {
  id: EXAMPLE_IDS.apiKey,
  name: 'Billing back office',
  scopes: ['licenses:read', 'licenses:write'],
  organisationId: null,
  hint: 'Ra9V',
  createdAt: EXAMPLE_TIMES.created,
  lastUsedAt: EXAMPLE_TIMES.heartbeat,
  revokedAt: null,
};
export const apiKey = z
  .object(apiKeyFields)
  .meta({ id: 'ApiKey', description: 'A vendor API key (its secret is never shown again).', examples: [exampleApiKey] });
export type ApiKey = z.infer<typeof apiKey>;
export const createApiKey = z
  .strictObject({
    name: name.describe('What the key is for.').meta({ examples: ['Billing back office'] }),
    scopes: z
      .array(apiKeyScope)
      .min(1)
      .max(API_KEY_SCOPES.length + 1)
      .describe('What the key may do.'),
    organisationId: id('organisation').nullable().default(null).describe("Bind the key to one organisation's data; it then cannot hold vendor-wide scopes."),
  })
  .meta({ id: 'CreateApiKey', description: 'A new API key.', examples: [{ name: 'Billing back office', scopes: ['licenses:read', 'licenses:write'] }] });
export const createdApiKey = z
  .object({
    ...apiKeyFields,
    secret: z
      .string()
      .describe('The secret, shown only in this answer: send it as `Authorization: Bearer <secret>`.')
      .meta({ examples: [EXAMPLE_API_KEY_SECRET] }),
  })
  .meta({
    id: 'CreatedApiKey',
    description: 'A new API key with its secret, shown this once.',
    examples: [{ ...exampleApiKey, secret: EXAMPLE_API_KEY_SECRET }],
  });
export const apiKeyPage = page(apiKey).meta({ id: 'ApiKeyPage', description: 'A page of API keys.' });

// ---- Audit ------------------------------------------------------------------
const hexHash = z.string().meta({ examples: ['9f2b4d6f8a0c2e4a6b8d0f2a4c6e8b0d2f3f1c9a0e5d7b2c4a8e6f0b1d3c5a7e'] });
export const auditEvent = z
  .object({
    id: id('auditEvent').describe('The event.'),
    seq: z
      .number()
      .int()
      .describe('Its place in the hash chain, in commit order.')
      .meta({ examples: [1042] }),
    at: timestamp.describe('When it happened.').meta({ examples: [EXAMPLE_TIMES.acquired] }),
    action: z
      .string()
      .describe('What happened.')
      .meta({ examples: ['session.acquired'] }),
    actorType: z
      .string()
      .describe('Who did it: `api-key`, `user`, `license-key`, `session`, `stripe` or `system`.')
      .meta({ examples: ['license-key'] }),
    actorId: z
      .string()
      .nullable()
      .describe('The ID of the actor, when it has one.')
      .meta({ examples: [EXAMPLE_IDS.license] }),
    organisationId: z
      .string()
      .nullable()
      .describe('The organisation concerned, if any.')
      .meta({ examples: [EXAMPLE_IDS.organisation] }),
    targetType: z
      .string()
      .nullable()
      .describe('The kind of thing acted on.')
      .meta({ examples: ['session'] }),
    targetId: z
      .string()
      .nullable()
      .describe('The ID of the thing acted on.')
      .meta({ examples: [EXAMPLE_IDS.session] }),
    requestId: z
      .string()
      .nullable()
      .describe('The request that caused it.')
      .meta({ examples: [EXAMPLE_IDS.request] }),
    ip: z
      .string()
      .nullable()
      .describe('The address the request came from.')
      .meta({ examples: ['203.0.113.24'] }),
    data: z
      .record(z.string(), z.unknown())
      .describe('Facts of the event, by action.')
      .meta({ examples: [{ fingerprint: EXAMPLE_FINGERPRINT, seatsUsed: 3 }] }),
    prevHash: hexHash.describe("The previous event's hash (64 zeros for the first)."),
    hash: hexHash.describe('SHA-256 of `prevHash`, `seq` and the digest of the other fields (see the README).'),
  })
  .meta({ id: 'AuditEvent', description: 'One entry of the hash-chained audit log.' });
export type AuditEvent = z.infer<typeof auditEvent>;
export const auditQuery = seqPageQuery.extend({
  action: z
    .string()
    .max(100)
    .optional()
    .describe('Only events of this action.')
    .meta({ examples: ['license.suspended'] }),
  actorId: z.string().max(100).optional().describe('Only events by this actor.'),
  actorType: z.string().max(40).optional().describe('Only events by this kind of actor.'),
  organisationId: id('organisation').optional().describe("Only this organisation's events."),
  targetId: z.string().max(100).optional().describe('Only events about this ID.'),
  from: timestamp.optional().describe('Only events at or after this moment.'),
  to: timestamp.optional().describe('Only events before this moment.'),
});
export type AuditQuery = z.infer<typeof auditQuery>;
export const auditPage = page(auditEvent).meta({ id: 'AuditEventPage', description: 'A page of audit events, newest first.' });

export const auditVerdict = z
  .object({
    ok: z.boolean().describe('Whether every event links to the one before and matches its hash.'),
    events: z
      .number()
      .int()
      .describe('How many events were checked.')
      .meta({ examples: [1042] }),
    headHash: z.string().optional().describe('The hash of the last event, to compare with a copy kept elsewhere.'),
    firstBadSeq: z.number().int().optional().describe('When not ok: the `seq` of the first altered or missing event.'),
    reason: z.string().optional().describe('When not ok: what is wrong there.'),
  })
  .meta({
    id: 'AuditVerdict',
    description: 'The outcome of checking the hash chain.',
    examples: [{ ok: true, events: 1042, headHash: '9f2b4d6f8a0c2e4a6b8d0f2a4c6e8b0d2f3f1c9a0e5d7b2c4a8e6f0b1d3c5a7e' }],
  });
