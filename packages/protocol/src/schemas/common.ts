import { z } from 'zod';
import { ALL_ERROR_CODES } from '../errors.js';
import { type IdKind, idPattern } from '../ids.js';
import { LICENSE_KEY_PATTERN, licenseKeyProblem, normaliseLicenseKey } from '../license-key.js';
import { EXAMPLE_IDS, EXAMPLE_LICENSE_KEY, EXAMPLE_TIMES } from './examples.js';

/** An ID of one kind, refused with a message that names the expected prefix. */
export const id = (kind: IdKind) =>
  z
    .string()
    .regex(idPattern(kind), { message: `must be an ID like ${idPattern(kind).source.slice(1, 5)}…` })
    .meta({ examples: [EXAMPLE_IDS[kind]] });

/** A timestamp on the wire: ISO 8601 in UTC. */
export const timestamp = z.iso.datetime({ offset: true }).meta({ examples: [EXAMPLE_TIMES.created] });

/** A product or plan code: short, lower case, URL-safe. */
export const code = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' })
  .meta({ examples: ['coditect'] });

/** A feature code granted by a plan or license. */
export const entitlement = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9:._-]*$/, { message: 'must be lower-case letters, digits and : . _ -' })
  .meta({ examples: ['pro'] });

export const entitlements = z
  .array(entitlement)
  .max(100)
  .meta({ description: 'Feature codes the program may switch on.', examples: [['pro', 'export:pdf']] });

/** A license key as typed by a person: normalised, then checked for shape and checksum. */
export const licenseKey = z
  .string()
  .max(64)
  .transform(normaliseLicenseKey)
  .superRefine((key, ctx) => {
    const problem = licenseKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description:
      'A license key: five groups of five Crockford base32 characters, the last one a check character. Lower case, spaces and the look-alikes O, I, L are accepted and normalised.',
    examples: [EXAMPLE_LICENSE_KEY],
  });

export { LICENSE_KEY_PATTERN };

/** A machine fingerprint: the SDK sends a SHA-256 hex digest; other clients any opaque token. */
export const fingerprint = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:+/=-]+$/, { message: 'must be printable ASCII without spaces' })
  .meta({ examples: ['3f1c9a0e5d7b2c4a8e6f0b1d3c5a7e9f2b4d6f8a0c2e4a6b8d0f2a4c6e8b0d2f'] });

export const seatBasis = z.enum(['session', 'machine', 'user']).meta({
  id: 'SeatBasis',
  description:
    'What one seat counts: `session` every running copy, `machine` all copies on one fingerprint, `user` all copies of one signed-in person (machines without one).',
});
export type SeatBasis = z.infer<typeof seatBasis>;

export const licenseStatus = z.enum(['active', 'suspended', 'expired', 'revoked']).meta({
  id: 'LicenseStatus',
  description: 'Only an `active` license grants seats. `revoked` is final; `suspended` and `expired` can be reinstated or renewed.',
});
export type LicenseStatus = z.infer<typeof licenseStatus>;

const limit = z.coerce.number().int().min(1).max(500).default(50);
const CURSOR_MESSAGE = 'is not a cursor of this list: pass the nextCursor of the previous page';

/** Paging: an opaque cursor from the previous page and a page size. */
export const pageQuery = z.object({
  limit: limit.describe('How many items per page, 1–500.'),
  cursor: z.string().max(200).optional().describe('The `nextCursor` of the previous page; omit it for the first page.'),
});

/** Paging through a list ordered by ID: the cursor is the last ID of the previous page, and nothing else is accepted. */
export const pageQueryOf = (kind: IdKind) =>
  z.object({
    limit: limit.describe('How many items per page, 1–500.'),
    cursor: z
      .string()
      .regex(idPattern(kind), { message: CURSOR_MESSAGE })
      .optional()
      .describe('The `nextCursor` of the previous page; omit it for the first page.'),
  });

/** Paging through the audit log, newest first: the cursor is the last sequence number of the previous page. */
export const seqPageQuery = z.object({
  limit: limit.describe('How many items per page, 1–500.'),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, { message: CURSOR_MESSAGE })
    .optional()
    .describe('The `nextCursor` of the previous page; omit it for the first page.'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item).describe('The items of this page.'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page.'),
  });

/** The closed list of error codes, as a schema. */
export const errorCode = z.enum(ALL_ERROR_CODES as [string, ...string[]]).meta({
  id: 'ErrorCode',
  description: 'The machine-readable reason: one of a closed list. Each code has one HTTP status and one meaning; switch on this, not on `title` or `detail`.',
});

/** The problem+json body every error uses (RFC 9457). */
export const problem = z
  .object({
    type: z
      .string()
      .describe('A URI naming the problem type; one per code.')
      .meta({ examples: ['https://leasehold.dev/problems/not-found'] }),
    title: z.string().describe('A short summary of the problem type, the same for every occurrence of the code.'),
    status: z.number().int().describe('The HTTP status of the answer.'),
    detail: z.string().describe('What went wrong in this occurrence, for people.'),
    code: errorCode,
    requestId: z
      .string()
      .describe('The ID of the request (also in the `x-request-id` header); quote it when reporting a problem.')
      .meta({ examples: [EXAMPLE_IDS.request] }),
    errors: z
      .array(
        z.object({
          path: z
            .string()
            .describe('Where the bad value is: `body`, `query`, `params` or `headers`, then the field path.')
            .meta({ examples: ['body.licenseKey'] }),
          message: z.string().describe('What is wrong with it.'),
        }),
      )
      .optional()
      .describe('The fields that failed validation, when `code` is VALIDATION_FAILED or INVALID_LICENSE_KEY.'),
  })
  .passthrough()
  .meta({ id: 'Problem', description: 'An error, as application/problem+json (RFC 9457), with the stable `code` and the request ID.' });
