import { z } from 'zod';
import { apiKeyScope } from './admin.js';
import { id } from './common.js';
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
