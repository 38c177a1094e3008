import { z } from 'zod';
import { type IdKind, idPattern } from '../ids.js';
import { LICENSE_KEY_PATTERN, licenseKeyProblem, normaliseLicenseKey } from '../license-key.js';

/** An ID of one kind, refused with a message that names the expected prefix. */
export const id = (kind: IdKind) => z.string().regex(idPattern(kind), { message: `must be an ID like ${idPattern(kind).source.slice(1, 5)}…` });

/** A timestamp on the wire: ISO 8601 in UTC. */
export const timestamp = z.iso.datetime({ offset: true });

/** A product or plan code: short, lower case, URL-safe. */
export const code = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' });

/** A feature code granted by a plan or license. */
export const entitlement = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9:._-]*$/, { message: 'must be lower-case letters, digits and : . _ -' });

export const entitlements = z.array(entitlement).max(100);

/** A license key as typed by a person: normalised, then checked for shape and checksum. */
export const licenseKey = z
  .string()
  .max(64)
  .transform(normaliseLicenseKey)
  .superRefine((key, ctx) => {
    const problem = licenseKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export { LICENSE_KEY_PATTERN };

/** A machine fingerprint: the SDK sends a SHA-256 hex digest; other clients any opaque token. */
export const fingerprint = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:+/=-]+$/, { message: 'must be printable ASCII without spaces' });

export const seatBasis = z.enum(['session', 'machine', 'user']);
export type SeatBasis = z.infer<typeof seatBasis>;

export const licenseStatus = z.enum(['active', 'suspended', 'expired', 'revoked']);
export type LicenseStatus = z.infer<typeof licenseStatus>;

const limit = z.coerce.number().int().min(1).max(500).default(50);
const CURSOR_MESSAGE = 'is not a cursor of this list: pass the nextCursor of the previous page';

/** Paging: an opaque cursor from the previous page and a page size. */
export const pageQuery = z.object({
  limit,
  cursor: z.string().max(200).optional(),
});

/** Paging through a list ordered by ID: the cursor is the last ID of the previous page, and nothing else is accepted. */
export const pageQueryOf = (kind: IdKind) =>
  z.object({
    limit,
    cursor: z.string().regex(idPattern(kind), { message: CURSOR_MESSAGE }).optional(),
  });

/** Paging through the audit log, newest first: the cursor is the last sequence number of the previous page. */
export const seqPageQuery = z.object({
  limit,
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, { message: CURSOR_MESSAGE })
    .optional(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** The problem+json body every error uses (RFC 9457). */
export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough();
