import { z } from 'zod';
import { apiKeyScope } from './admin.js';
import { id, timestamp } from './common.js';
import { me } from './identity.js';

// ---- The dashboard's own endpoints (/dashboard/api) --------------------------
/** An admin API key, exchanged once for a browser session; it is never stored in the browser. */
export const dashboardSignIn = z.strictObject({ apiKey: z.string().min(8).max(200) });

export const dashboardSession = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('api-key'),
    apiKeyId: id('apiKey'),
    scopes: z.array(apiKeyScope),
    organisationId: id('organisation').nullable(),
    /** Echo in `x-csrf-token` on every change (also in the lh_admin_csrf cookie). */
    csrfToken: z.string(),
  }),
  z.object({
    kind: z.literal('user'),
    me,
    /** Vendor staff see the vendor views; everyone else the customer portal. */
    staff: z.boolean(),
    /** Echo in `x-csrf-token` on every change (also in the lh_csrf cookie). */
    csrfToken: z.string(),
  }),
]);
export type DashboardSession = z.infer<typeof dashboardSession>;

export const signInProviders = z.object({ providers: z.array(z.string()) });

/** The vendor's overview: seats in use against seats sold, and the last day's trouble. */
export const overview = z.object({
  activeLicenses: z.number().int(),
  seatsSold: z.number().int(),
  seatsInUse: z.number().int(),
  denials24h: z.number().int(),
  expiries24h: z.number().int(),
  nearCapacity: z.array(z.object({ licenseId: id('license'), organisationId: id('organisation'), seats: z.number().int(), seatsInUse: z.number().int() })),
});
export type Overview = z.infer<typeof overview>;

// ---- Seat-usage analytics ----------------------------------------------------
const MAX_RANGE_MS = 366 * 86_400_000;
const range = {
  from: timestamp,
  to: timestamp,
  format: z.enum(['json', 'csv']).default('json'),
};
const withinAYear = (q: { from: string; to: string }) => {
  const span = Date.parse(q.to) - Date.parse(q.from);
  return span > 0 && span <= MAX_RANGE_MS;
};
const rangeIssue = { message: 'to must be after from, at most a year later', path: ['to'] };

export const usageQuery = z.object({ ...range, granularity: z.enum(['hour', 'day']).default('hour') }).refine(withinAYear, rangeIssue);
export type UsageQuery = z.infer<typeof usageQuery>;

export const usageBucket = z.object({
  start: timestamp,
  /** The most sessions live at once. */
  peak: z.number().int(),
  /** Sessions live on average over the bucket. */
  average: z.number(),
  /** Acquires refused for want of a free seat. */
  denials: z.number().int(),
  /** average / seats sold. */
  utilisation: z.number(),
});
export const licenseUsage = z.object({
  licenseId: id('license'),
  seats: z.number().int(),
  granularity: z.enum(['hour', 'day']),
  from: timestamp,
  to: timestamp,
  buckets: z.array(usageBucket),
});
export type LicenseUsage = z.infer<typeof licenseUsage>;

export const usageSummaryQuery = z
  .object({
    ...range,
    /** denials: who needs more seats; utilisation: who pays for seats they do not use. */
    order: z.enum(['denials', 'utilisation']).default('denials'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine(withinAYear, rangeIssue);
export const usageSummary = z.object({
  from: timestamp,
  to: timestamp,
  data: z.array(
    z.object({
      licenseId: id('license'),
      organisationId: id('organisation'),
      seats: z.number().int(),
      peak: z.number().int(),
      average: z.number(),
      denials: z.number().int(),
      utilisation: z.number(),
    }),
  ),
});
export type UsageSummary = z.infer<typeof usageSummary>;

// ---- Staff -------------------------------------------------------------------
export const setStaff = z
  .strictObject({ userId: id('user').optional(), email: z.email().max(320).optional(), staff: z.boolean() })
  .refine((v) => (v.userId === undefined) !== (v.email === undefined), { message: 'give exactly one of userId or email', path: ['userId'] });
export const staffMember = z.object({ userId: id('user'), email: z.string().nullable(), staff: z.boolean() });
