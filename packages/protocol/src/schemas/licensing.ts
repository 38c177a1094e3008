import { z } from 'zod';
import { code, entitlements, fingerprint, id, licenseKey, licenseStatus, seatBasis, timestamp } from './common.js';

const shortText = (max: number) => z.string().min(1).max(max);

/** The parts a fingerprint was made of, each hashed, so a changed machine can be told from a new one. */
export const fingerprintComponents = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,31}$/), z.string().max(128))
  .refine((r) => Object.keys(r).length <= 16, { message: 'at most 16 components' });

export const acquireRequest = z.strictObject({
  product: code,
  licenseKey: licenseKey.optional(),
  licenseId: id('license').optional(),
  fingerprint,
  fingerprintComponents: fingerprintComponents.optional(),
  hostname: shortText(255).optional(),
  platform: shortText(64).optional(),
  clientVersion: shortText(64).optional(),
  idempotencyKey: z
    .string()
    .min(8)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/)
    .optional(),
});
export type AcquireRequest = z.infer<typeof acquireRequest>;

export const seatCount = z.object({
  used: z.number().int(),
  total: z.number().int(),
  overage: z.number().int(),
});

export const acquireResponse = z.object({
  sessionId: id('session'),
  sessionSecret: z.string(),
  leaseToken: z.string(),
  licenseId: id('license'),
  expiresAt: timestamp,
  offlineGraceUntil: timestamp,
  heartbeatIntervalSeconds: z.number().int(),
  leaseTtlSeconds: z.number().int(),
  seats: seatCount,
  entitlements,
  /** True when an earlier acquire of the same caller was returned instead of a new seat. */
  reused: z.boolean(),
});
export type AcquireResponse = z.infer<typeof acquireResponse>;

export const sessionCredentials = z.strictObject({
  sessionId: id('session'),
  sessionSecret: z.string().min(20).max(100),
});
export type SessionCredentials = z.infer<typeof sessionCredentials>;

export const heartbeatRequest = sessionCredentials;
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;

export const heartbeatResponse = z.object({
  sessionId: id('session'),
  leaseToken: z.string(),
  expiresAt: timestamp,
  offlineGraceUntil: timestamp,
  heartbeatIntervalSeconds: z.number().int(),
  /** True when the session had expired and took a free seat again. */
  reacquired: z.boolean(),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

export const releaseRequest = sessionCredentials;
export type ReleaseRequest = z.infer<typeof releaseRequest>;

export const releaseResponse = z.object({ sessionId: id('session'), released: z.literal(true) });
export type ReleaseResponse = z.infer<typeof releaseResponse>;

export const validateRequest = z
  .strictObject({
    product: code.optional(),
    licenseKey: licenseKey.optional(),
    leaseToken: z.string().min(1).max(4096).optional(),
    fingerprint: fingerprint.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.licenseKey === undefined && v.leaseToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['licenseKey'], message: 'is required (or give leaseToken instead)' });
    } else if (v.licenseKey !== undefined && v.leaseToken !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['leaseToken'], message: 'give either licenseKey or leaseToken, not both' });
    }
    if (v.licenseKey !== undefined && v.product === undefined) {
      ctx.addIssue({ code: 'custom', path: ['product'], message: 'is required with a licenseKey' });
    }
  });
export type ValidateRequest = z.infer<typeof validateRequest>;

export const validateResponse = z.object({
  valid: z.boolean(),
  /** Why the license is not usable, when `valid` is false. */
  code: z.string().nullable(),
  detail: z.string().nullable(),
  license: z
    .object({
      id: id('license'),
      product: code,
      status: licenseStatus,
      expiresAt: timestamp.nullable(),
      seatBasis,
      seats: seatCount,
      entitlements,
    })
    .nullable(),
});
export type ValidateResponse = z.infer<typeof validateResponse>;
