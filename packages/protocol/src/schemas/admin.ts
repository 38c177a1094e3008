import { z } from 'zod';
import { code, entitlements, fingerprint, id, licenseStatus, page, pageQueryOf, seatBasis, seqPageQuery, timestamp } from './common.js';

const name = z.string().trim().min(1).max(200);
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const metadata = z
  .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 keys' });

// ---- Products ---------------------------------------------------------------
export const product = z.object({
  id: id('product'),
  code,
  name,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Product = z.infer<typeof product>;
export const createProduct = z.strictObject({ code, name });
export const updateProduct = z.strictObject({ name: name.optional() });
export const productPage = page(product);

// ---- Plans ------------------------------------------------------------------
/** The terms a license is issued under. Every field but product, code and name has a default. */
export const planTerms = {
  seats: z.number().int().min(1).max(1_000_000),
  seatBasis,
  leaseTtlSeconds: seconds(5, 86_400),
  heartbeatIntervalSeconds: seconds(1, 43_200),
  offlineGraceSeconds: seconds(0, 90 * 86_400),
  maxBorrowSeconds: seconds(0, 90 * 86_400),
  overage: z.number().int().min(0).max(1_000_000),
  entitlements,
  durationDays: z.number().int().min(1).max(36_500).nullable(),
  stripePriceId: z.string().min(1).max(255).nullable(),
};

export const plan = z.object({
  id: id('plan'),
  productId: id('product'),
  code,
  name,
  ...planTerms,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Plan = z.infer<typeof plan>;

const heartbeatBelowTtl = (p: { leaseTtlSeconds?: number; heartbeatIntervalSeconds?: number }) =>
  p.leaseTtlSeconds === undefined || p.heartbeatIntervalSeconds === undefined || p.heartbeatIntervalSeconds < p.leaseTtlSeconds;
const heartbeatIssue = {
  message: 'heartbeatIntervalSeconds must be shorter than leaseTtlSeconds',
  path: ['heartbeatIntervalSeconds'],
};

export const createPlan = z
  .strictObject({
    productId: id('product'),
    code,
    name,
    seats: planTerms.seats.default(1),
    seatBasis: planTerms.seatBasis.default('machine'),
    leaseTtlSeconds: planTerms.leaseTtlSeconds.default(360),
    heartbeatIntervalSeconds: planTerms.heartbeatIntervalSeconds.default(60),
    offlineGraceSeconds: planTerms.offlineGraceSeconds.default(86_400),
    maxBorrowSeconds: planTerms.maxBorrowSeconds.default(0),
    overage: planTerms.overage.default(0),
    entitlements: planTerms.entitlements.default([]),
    durationDays: planTerms.durationDays.default(null),
    stripePriceId: planTerms.stripePriceId.default(null),
  })
  .refine(heartbeatBelowTtl, heartbeatIssue);
export type CreatePlan = z.infer<typeof createPlan>;

export const updatePlan = z
  .strictObject({
    name: name.optional(),
    seats: planTerms.seats.optional(),
    seatBasis: planTerms.seatBasis.optional(),
    leaseTtlSeconds: planTerms.leaseTtlSeconds.optional(),
    heartbeatIntervalSeconds: planTerms.heartbeatIntervalSeconds.optional(),
    offlineGraceSeconds: planTerms.offlineGraceSeconds.optional(),
    maxBorrowSeconds: planTerms.maxBorrowSeconds.optional(),
    overage: planTerms.overage.optional(),
    entitlements: planTerms.entitlements.optional(),
    durationDays: planTerms.durationDays.optional(),
    stripePriceId: planTerms.stripePriceId.optional(),
  })
  .refine(heartbeatBelowTtl, heartbeatIssue);
export type UpdatePlan = z.infer<typeof updatePlan>;
export const planQuery = pageQueryOf('plan').extend({ productId: id('product').optional() });
export const planPage = page(plan);

// ---- Organisations ----------------------------------------------------------
export const organisation = z.object({
  id: id('organisation'),
  name,
  metadata,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Organisation = z.infer<typeof organisation>;
export const createOrganisation = z.strictObject({ name, metadata: metadata.default({}) });
export const updateOrganisation = z.strictObject({ name: name.optional(), metadata: metadata.optional() });
export const organisationPage = page(organisation);

// ---- Licenses ---------------------------------------------------------------
export const license = z.object({
  id: id('license'),
  organisationId: id('organisation'),
  productId: id('product'),
  planId: id('plan'),
  status: licenseStatus,
  /** The last five characters of the key, to recognise it; the key itself is never stored. */
  keyHint: z.string(),
  seats: z.number().int(),
  overage: z.number().int(),
  seatBasis,
  entitlements,
  /** Overrides of the plan's terms on this license; null where the plan's value applies. */
  overrides: z.object({
    seats: z.number().int().nullable(),
    overage: z.number().int().nullable(),
    entitlements: entitlements.nullable(),
  }),
  seatsInUse: z.number().int(),
  expiresAt: timestamp.nullable(),
  metadata,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type License = z.infer<typeof license>;

export const createLicense = z.strictObject({
  organisationId: id('organisation'),
  planId: id('plan'),
  seats: z.number().int().min(1).max(1_000_000).optional(),
  overage: z.number().int().min(0).max(1_000_000).optional(),
  entitlements: entitlements.optional(),
  expiresAt: timestamp.nullable().optional(),
  metadata: metadata.default({}),
});
export type CreateLicense = z.infer<typeof createLicense>;

/** A license as returned once, at creation: the only time the key is shown. */
export const createdLicense = license.extend({ key: z.string() });

export const updateLicense = z.strictObject({
  seats: z.number().int().min(1).max(1_000_000).nullable().optional(),
  overage: z.number().int().min(0).max(1_000_000).nullable().optional(),
  entitlements: entitlements.nullable().optional(),
  expiresAt: timestamp.nullable().optional(),
  planId: id('plan').optional(),
  metadata: metadata.optional(),
});
export type UpdateLicense = z.infer<typeof updateLicense>;

export const renewLicense = z
  .strictObject({
    expiresAt: timestamp.optional(),
    extendDays: z.number().int().min(1).max(36_500).optional(),
  })
  .refine((v) => (v.expiresAt === undefined) !== (v.extendDays === undefined), {
    message: 'give exactly one of expiresAt or extendDays',
    path: ['expiresAt'],
  });
export type RenewLicense = z.infer<typeof renewLicense>;

export const licenseAction = z.strictObject({ reason: z.string().max(500).optional() });

export const licenseQuery = pageQueryOf('license').extend({
  organisationId: id('organisation').optional(),
  productId: id('product').optional(),
  planId: id('plan').optional(),
  status: licenseStatus.optional(),
  expiresBefore: timestamp.optional(),
});
export type LicenseQuery = z.infer<typeof licenseQuery>;
export const licensePage = page(license);

// ---- Sessions ---------------------------------------------------------------
export const session = z.object({
  id: id('session'),
  licenseId: id('license'),
  organisationId: id('organisation'),
  userId: z.string().nullable(),
  fingerprint,
  hostname: z.string().nullable(),
  platform: z.string().nullable(),
  clientVersion: z.string().nullable(),
  ip: z.string().nullable(),
  startedAt: timestamp,
  lastHeartbeatAt: timestamp,
  expiresAt: timestamp,
  borrowedUntil: timestamp.nullable(),
});
export type Session = z.infer<typeof session>;
export const sessionQuery = pageQueryOf('session').extend({
  licenseId: id('license').optional(),
  organisationId: id('organisation').optional(),
});
export const sessionPage = page(session);

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
] as const;
export const apiKeyScope = z.enum([...API_KEY_SCOPES, '*']);
export type ApiKeyScope = z.infer<typeof apiKeyScope>;

export const apiKey = z.object({
  id: id('apiKey'),
  name,
  scopes: z.array(apiKeyScope),
  /** When set, the key sees and changes only this organisation's data. */
  organisationId: id('organisation').nullable(),
  hint: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
export type ApiKey = z.infer<typeof apiKey>;
export const createApiKey = z.strictObject({
  name,
  scopes: z
    .array(apiKeyScope)
    .min(1)
    .max(API_KEY_SCOPES.length + 1),
  organisationId: id('organisation').nullable().default(null),
});
export const createdApiKey = apiKey.extend({ secret: z.string() });
export const apiKeyPage = page(apiKey);

// ---- Audit ------------------------------------------------------------------
export const auditEvent = z.object({
  id: id('auditEvent'),
  seq: z.number().int(),
  at: timestamp,
  action: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  organisationId: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEvent>;
export const auditQuery = seqPageQuery.extend({
  action: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  actorType: z.string().max(40).optional(),
  organisationId: id('organisation').optional(),
  targetId: z.string().max(100).optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;
export const auditPage = page(auditEvent);
