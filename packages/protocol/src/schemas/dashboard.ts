import { z } from 'zod';
import { apiKeyScope } from './admin.js';
import { id, timestamp } from './common.js';
import { me } from './identity.js';

// ---- The dashboard's own endpoints (/dashboard/api) --------------------------
/** An admin API key, exchanged once for a browser session; it is never stored in the browser. */
export const dashboardSignIn = z
  .strictObject({
    apiKey: z
      .string()
      .min(8)
      .max(200)
      .describe('An admin API key (`lh_…`); only a hash of it is checked, and it is not kept.')
      .meta({ writeOnly: true, format: 'password' }),
  })
  .meta({ id: 'DashboardSignIn', description: 'The admin API key to open a dashboard session with.' });

export const dashboardSession = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('api-key').describe('Opened with an admin API key.'),
        apiKeyId: id('apiKey').describe('The API key the session acts as.'),
        scopes: z.array(apiKeyScope).describe('The scopes of that key.'),
        organisationId: id('organisation').nullable().describe('The one organisation the key is bound to, or null for a vendor-wide key.'),
        /** Echo in `x-csrf-token` on every change (also in the lh_admin_csrf cookie). */
        csrfToken: z.string().describe('Send it in `x-csrf-token` with every change (it is also in the `lh_admin_csrf` cookie).'),
      })
      .meta({ id: 'DashboardKeySession', description: 'A dashboard session opened with an admin API key (the `lh_admin` cookie).' }),
    z
      .object({
        kind: z.literal('user').describe('A person signed in through an identity provider.'),
        me: me.describe('The person and their organisations.'),
        /** Vendor staff see the vendor views; everyone else the customer portal. */
        staff: z.boolean().describe('Whether the person is vendor staff (vendor views) rather than a customer (the portal).'),
        /** Echo in `x-csrf-token` on every change (also in the lh_csrf cookie). */
        csrfToken: z.string().describe('Send it in `x-csrf-token` with every change (it is also in the `lh_csrf` cookie).'),
      })
      .meta({ id: 'DashboardUserSession', description: 'A dashboard session of a signed-in person (the `lh_session` cookie).' }),
  ])
  .meta({ id: 'DashboardSession', description: 'Who the dashboard acts for, and the CSRF token its changes need.' });
export type DashboardSession = z.infer<typeof dashboardSession>;

export const signInProviders = z
  .object({ providers: z.array(z.string()).describe('The names of the configured identity providers, to start at `/auth/{provider}/start`.') })
  .meta({ id: 'SignInProviders', description: 'The identity providers people can sign in with.', examples: [{ providers: ['google', 'github'] }] });
export const dashboardSignOut = z
  .object({ signedOut: z.boolean().describe('Whether a session was open and is now ended.') })
  .meta({ id: 'DashboardSignOut', description: 'The dashboard session is ended.' });

/** The vendor's overview: seats in use against seats sold, and the last day's trouble. */
export const overview = z
  .object({
    activeLicenses: z.number().int().describe('Licenses active now.'),
    seatsSold: z.number().int().describe('Seats of the active licenses.'),
    seatsInUse: z.number().int().describe('Seats held by live sessions now.'),
    denials24h: z.number().int().describe('Acquires refused for want of a seat in the last 24 hours.'),
    expiries24h: z.number().int().describe('Sessions that expired without a release in the last 24 hours.'),
    nearCapacity: z
      .array(
        z.object({
          licenseId: id('license').describe('The license.'),
          organisationId: id('organisation').describe('Its organisation.'),
          seats: z.number().int().describe('Its seats.'),
          seatsInUse: z.number().int().describe('Its seats held now.'),
        }),
      )
      .describe('Licenses with most of their seats in use.'),
  })
  .meta({ id: 'Overview', description: 'Seats in use against seats sold, and the last day’s denials and expiries.' });
export type Overview = z.infer<typeof overview>;

// ---- Seat-usage analytics ----------------------------------------------------
const MAX_RANGE_MS = 366 * 86_400_000;
const range = {
  from: timestamp.describe('The start of the period (inclusive).'),
  to: timestamp.describe('The end of the period (exclusive), after `from` and at most a year later.'),
  format: z.enum(['json', 'csv']).default('json').describe('`json`, or `csv` for a spreadsheet.'),
};
const withinAYear = (q: { from: string; to: string }) => {
  const span = Date.parse(q.to) - Date.parse(q.from);
  return span > 0 && span <= MAX_RANGE_MS;
};
const rangeIssue = { message: 'to must be after from, at most a year later', path: ['to'] };

export const usageQuery = z
  .object({ ...range, granularity: z.enum(['hour', 'day']).default('hour').describe('One bucket per hour or per day.') })
  .refine(withinAYear, rangeIssue);
export type UsageQuery = z.infer<typeof usageQuery>;

export const usageBucket = z.object({
  start: timestamp.describe('The start of the bucket.'),
  seats: z.number().int().describe('The seats sold in force in the bucket (the most, if they changed within it).'),
  peak: z.number().int().describe('The most seats held at once (sessions sharing a seat-basis key hold one).'),
  average: z.number().describe('Seats held on average over the bucket.'),
  denials: z.number().int().describe('Acquires refused for want of a free seat.'),
  utilisation: z.number().describe('The seats held over the seats sold in force at the time, on average (0 to 1, more with overage).'),
});
export const licenseUsage = z
  .object({
    licenseId: id('license').describe('The license.'),
    seats: z.number().int().describe('Its seats sold.'),
    granularity: z.enum(['hour', 'day']).describe('One bucket per hour or per day.'),
    from: timestamp.describe('The start of the period.'),
    to: timestamp.describe('The end of the period.'),
    buckets: z.array(usageBucket).describe('The buckets, oldest first.'),
  })
  .meta({ id: 'LicenseUsage', description: 'A license’s seat usage over a period.' });
export type LicenseUsage = z.infer<typeof licenseUsage>;

export const usageSummaryQuery = z
  .object({
    ...range,
    order: z
      .enum(['denials', 'utilisation'])
      .default('denials')
      .describe('`denials`: who needs more seats first; `utilisation`: who uses least of what they pay for first.'),
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('How many licenses to answer.'),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, { message: 'is not a cursor of this list: pass the nextCursor of the previous page' })
      .optional()
      .describe('The `nextCursor` of the previous page; omit it for the first page.'),
  })
  .refine(withinAYear, rangeIssue);
export const usageSummary = z
  .object({
    from: timestamp.describe('The start of the period.'),
    to: timestamp.describe('The end of the period.'),
    data: z
      .array(
        z.object({
          licenseId: id('license').describe('The license.'),
          organisationId: id('organisation').describe('Its organisation.'),
          seats: z.number().int().describe('Its seats sold.'),
          peak: z.number().int().describe('The most seats held at once.'),
          average: z.number().describe('Seats held on average.'),
          denials: z.number().int().describe('Acquires refused for want of a free seat.'),
          utilisation: z.number().describe('The seats held over the seats sold in force over the period.'),
        }),
      )
      .describe('The licenses, in the order asked for.'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page of the ranking; null on the last page.'),
  })
  .meta({ id: 'UsageSummary', description: 'The seat usage of every active license over a period.' });
export type UsageSummary = z.infer<typeof usageSummary>;

// ---- Staff -------------------------------------------------------------------
export const setStaff = z
  .strictObject({
    userId: id('user').optional().describe('The person, by ID (or give `email`).'),
    email: z.email().max(320).optional().describe('The person, by e-mail address (or give `userId`).'),
    staff: z.boolean().describe('Grant (true) or withdraw (false) the staff role.'),
  })
  .refine((v) => (v.userId === undefined) !== (v.email === undefined), { message: 'give exactly one of userId or email', path: ['userId'] })
  .meta({ id: 'SetStaff', description: 'Whom to grant or withdraw the staff role, by ID or e-mail address.' });
export const staffMember = z
  .object({
    userId: id('user').describe('The person.'),
    email: z.string().nullable().describe('Their e-mail address, if known.'),
    staff: z.boolean().describe('Whether they are staff now.'),
  })
  .meta({ id: 'StaffMember', description: 'A person and whether they are vendor staff.' });
