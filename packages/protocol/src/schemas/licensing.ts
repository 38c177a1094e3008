import { z } from 'zod';
import { ciGrant } from './ci.js';
import { code, entitlements, fingerprint, id, licenseKey, licenseStatus, seatBasis, timestamp } from './common.js';
import { EXAMPLE_FINGERPRINT, EXAMPLE_IDS, EXAMPLE_LEASE_TOKEN, EXAMPLE_LICENSE_KEY, EXAMPLE_SESSION_SECRET, EXAMPLE_TIMES } from './examples.js';

const shortText = (max: number) => z.string().min(1).max(max);

const leaseToken = z
  .string()
  .describe('The signed lease token (compact JWS, EdDSA, `typ: leasehold-lease+jwt`); verify it offline against `/.well-known/jwks.json`.')
  .meta({ examples: [EXAMPLE_LEASE_TOKEN] });
const sessionId = id('session').describe('The session holding the seat.');
const sessionSecret = z
  .string()
  .min(20)
  .max(100)
  .optional()
  .describe(
    'The secret of the session, given once by acquire; it authorises heartbeat, release, borrow and return. Prefer the `Leasehold-Session-Secret` header (security scheme `sessionSecret`); the field is kept for older clients, and if both are sent they must agree.',
  )
  .meta({ examples: [EXAMPLE_SESSION_SECRET], format: 'password', writeOnly: true, deprecated: true });

/** The parts a fingerprint was made of, each hashed, so a changed machine can be told from a new one. */
export const fingerprintComponents = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,31}$/), z.string().max(128))
  .refine((r) => Object.keys(r).length <= 16, { message: 'at most 16 components' })
  .describe('The hashed parts the fingerprint was made of (at most 16), so a changed machine can be told from a new one.')
  .meta({ examples: [{ machineId: '9b2f4c6e8a0d1f3b', cpu: '1a3c5e7f9b0d2f4a', disk: '5e7a9c1e3f5b7d9a' }] });

export const acquireRequest = z
  .strictObject({
    product: code.describe('The product code the program is.'),
    licenseKey: licenseKey
      .optional()
      .describe(
        'The license key. Prefer `Authorization: License <key>` (security scheme `licenseKey`); the field is kept for older clients, and if both are sent they must agree. Omit both when the person is signed in: the seat then comes from their organisation (send `Authorization: Bearer`).',
      )
      .meta({ deprecated: true }),
    licenseId: id('license')
      .optional()
      .describe("Which license to take the seat from, when a signed-in person's organisations hold several (or to check the key's license)."),
    fingerprint: fingerprint.describe('Identifies the machine (the SDK sends a SHA-256 hex digest of its hardware identifiers).'),
    fingerprintComponents: fingerprintComponents.optional(),
    hostname: shortText(255)
      .optional()
      .describe('The host name, shown to administrators and to whoever waits for a seat.')
      .meta({ examples: ['alice-laptop'] }),
    platform: shortText(64)
      .optional()
      .describe('The operating system and architecture.')
      .meta({ examples: ['darwin-arm64'] }),
    clientVersion: shortText(64)
      .optional()
      .describe("The program's version.")
      .meta({ examples: ['coditect/2.4.1'] }),
    idempotencyKey: z
      .string()
      .min(8)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/)
      .optional()
      .describe('Makes a retried acquire return the same session (with a new secret) instead of taking another seat.')
      .meta({ examples: ['start-7f3a9c21-2030-01-05'] }),
    wait: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe(
        "Seconds to wait for a seat when none is free, in the license's seat queue (at most the plan's `maxQueueWaitSeconds`). The server holds the request up to 20 s; then it answers 409 NO_SEAT_AVAILABLE with `queue`, and the next acquire with `queueTicket` keeps the place.",
      )
      .meta({ examples: [300] }),
    queueTicket: id('queueTicket').optional().describe('The ticket of an earlier answer, to keep your place in the seat queue.'),
    priority: z
      .enum(['high', 'normal', 'low'])
      .optional()
      .describe('Your place among waiters when the plan has `queuePriorities`: high goes before normal, normal before low; ignored otherwise.'),
  })
  .meta({
    id: 'AcquireRequest',
    description: 'Take a seat of a license, by key or as a signed-in person.',
    examples: [
      {
        product: 'coditect',
        licenseKey: EXAMPLE_LICENSE_KEY,
        fingerprint: EXAMPLE_FINGERPRINT,
        hostname: 'alice-laptop',
        platform: 'darwin-arm64',
        clientVersion: 'coditect/2.4.1',
        idempotencyKey: 'start-7f3a9c21-2030-01-05',
      },
    ],
  });
export type AcquireRequest = z.infer<typeof acquireRequest>;

export const seatCount = z
  .object({
    used: z.number().int().describe('Seats held now, this one included.'),
    total: z.number().int().describe("The license's seats."),
    overage: z.number().int().describe('Seats allowed beyond `total`.'),
  })
  .meta({ id: 'SeatCount', description: 'How many seats of the license are held.', examples: [{ used: 3, total: 5, overage: 0 }] });

export const acquireResponse = z
  .object({
    sessionId,
    sessionSecret: z
      .string()
      .describe('The secret of the session, shown only here: keep it for heartbeat, release, borrow and return.')
      .meta({ examples: [EXAMPLE_SESSION_SECRET] }),
    leaseToken,
    licenseId: id('license').describe('The license the seat was taken from.'),
    expiresAt: timestamp.describe('When the seat frees unless renewed by a heartbeat.'),
    offlineGraceUntil: timestamp.describe('The latest moment the program may run without reaching the server (the lease token’s `exp`).'),
    heartbeatIntervalSeconds: z.number().int().describe('How often to heartbeat, in seconds.'),
    leaseTtlSeconds: z.number().int().describe('How long a lease lasts after each heartbeat, in seconds.'),
    seats: seatCount,
    entitlements,
    /** True when an earlier acquire of the same caller was returned instead of a new seat. */
    reused: z.boolean().describe('True when an earlier acquire with the same idempotency key was returned instead of taking a new seat.'),
    ci: ciGrant.optional(),
  })
  .meta({
    id: 'AcquireResponse',
    description: 'A seat was taken (or the earlier one returned): the session, its secret and the signed lease token.',
    examples: [
      {
        sessionId: EXAMPLE_IDS.session,
        sessionSecret: EXAMPLE_SESSION_SECRET,
        leaseToken: EXAMPLE_LEASE_TOKEN,
        licenseId: EXAMPLE_IDS.license,
        expiresAt: EXAMPLE_TIMES.leaseExpires,
        offlineGraceUntil: EXAMPLE_TIMES.offlineGraceUntil,
        heartbeatIntervalSeconds: 60,
        leaseTtlSeconds: 360,
        seats: { used: 3, total: 5, overage: 0 },
        entitlements: ['pro', 'export:pdf'],
        reused: false,
      },
    ],
  });
export type AcquireResponse = z.infer<typeof acquireResponse>;

export const sessionCredentials = z.strictObject({ sessionId, sessionSecret }).meta({
  id: 'SessionCredentials',
  description: 'A session and its secret, as acquire gave them.',
  examples: [{ sessionId: EXAMPLE_IDS.session, sessionSecret: EXAMPLE_SESSION_SECRET }],
});
export type SessionCredentials = z.infer<typeof sessionCredentials>;

export const heartbeatRequest = sessionCredentials;
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;

export const heartbeatResponse = z
  .object({
    sessionId,
    leaseToken: leaseToken.describe('The lease token: the same as before until half its lease has passed, then a newly signed one.'),
    expiresAt: timestamp.describe('When the seat frees unless renewed again.'),
    offlineGraceUntil: timestamp.describe('The latest moment the program may run without reaching the server.'),
    heartbeatIntervalSeconds: z.number().int().describe('How often to heartbeat, in seconds (it may change with the plan).'),
    /** True when the session had expired and took a free seat again. */
    reacquired: z.boolean().describe('True when the lease had run out and the session took a free seat again.'),
  })
  .meta({
    id: 'HeartbeatResponse',
    description: 'The lease was renewed.',
    examples: [
      {
        sessionId: EXAMPLE_IDS.session,
        leaseToken: EXAMPLE_LEASE_TOKEN,
        expiresAt: EXAMPLE_TIMES.leaseExpires,
        offlineGraceUntil: EXAMPLE_TIMES.offlineGraceUntil,
        heartbeatIntervalSeconds: 60,
        reacquired: false,
      },
    ],
  });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

export const releaseRequest = sessionCredentials;
export type ReleaseRequest = z.infer<typeof releaseRequest>;

export const releaseResponse = z
  .object({ sessionId, released: z.literal(true).describe('Always true: the seat is free (also when it already was).') })
  .meta({ id: 'ReleaseResponse', description: 'The seat is free.', examples: [{ sessionId: EXAMPLE_IDS.session, released: true }] });
export type ReleaseResponse = z.infer<typeof releaseResponse>;

export const borrowRequest = sessionCredentials
  .extend({
    durationSeconds: z
      .number()
      .int()
      .min(60)
      .max(90 * 86_400)
      .describe("How long to keep the seat offline, in seconds (at most the plan's `maxBorrowSeconds`).")
      .meta({ examples: [604_800] }),
  })
  .meta({
    id: 'BorrowRequest',
    description: 'Check a held seat out for offline use.',
    examples: [{ sessionId: EXAMPLE_IDS.session, sessionSecret: EXAMPLE_SESSION_SECRET, durationSeconds: 604_800 }],
  });

export const borrowResponse = heartbeatResponse
  .omit({ reacquired: true })
  .extend({ borrowedUntil: timestamp.describe('The seat stays held, and the lease token valid offline, until then.') })
  .meta({
    id: 'BorrowResponse',
    description: 'The seat is checked out until `borrowedUntil`.',
    examples: [
      {
        sessionId: EXAMPLE_IDS.session,
        leaseToken: EXAMPLE_LEASE_TOKEN,
        expiresAt: EXAMPLE_TIMES.borrowedUntil,
        offlineGraceUntil: EXAMPLE_TIMES.borrowedUntil,
        heartbeatIntervalSeconds: 60,
        borrowedUntil: EXAMPLE_TIMES.borrowedUntil,
      },
    ],
  });

export type BorrowRequest = z.infer<typeof borrowRequest>;
export type BorrowResponse = z.infer<typeof borrowResponse>;

export const validateRequest = z
  .strictObject({
    product: code.optional().describe('The product code; required with a `licenseKey`.'),
    licenseKey: licenseKey
      .optional()
      .describe('The license key to check (give this or `leaseToken`). Prefer `Authorization: License <key>`; if both are sent they must agree.')
      .meta({ deprecated: true }),
    leaseToken: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('A lease token to check (give this or `licenseKey`).')
      .meta({ examples: [EXAMPLE_LEASE_TOKEN] }),
    fingerprint: fingerprint.optional().describe('With a lease token: the machine it must have been issued to.'),
  })
  .superRefine((v, ctx) => {
    // A key may also come in the Authorization header, so "one of the two is required" is checked by the route.
    if (v.licenseKey !== undefined && v.leaseToken !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['leaseToken'], message: 'give either licenseKey or leaseToken, not both' });
    }
    if (v.licenseKey !== undefined && v.product === undefined) {
      ctx.addIssue({ code: 'custom', path: ['product'], message: 'is required with a licenseKey' });
    }
  })
  .meta({
    id: 'ValidateRequest',
    description: 'A license key (with its product; the key preferably in `Authorization: License <key>`) or a lease token to check, exactly one of the two.',
    examples: [{ product: 'coditect', licenseKey: EXAMPLE_LICENSE_KEY }],
  });
export type ValidateRequest = z.infer<typeof validateRequest>;

export const validateResponse = z
  .object({
    valid: z.boolean().describe('Whether the license may be used now.'),
    /** Why the license is not usable, when `valid` is false. */
    code: z
      .string()
      .nullable()
      .describe('Why not, when `valid` is false: an error code such as LICENSE_EXPIRED or TOKEN_INVALID; null when valid.')
      .meta({ examples: [null] }),
    detail: z.string().nullable().describe('The same for people; null when valid.'),
    license: z
      .object({
        id: id('license').describe('The license.'),
        product: code.describe('Its product code.'),
        status: licenseStatus,
        expiresAt: timestamp.nullable().describe('When it expires; null if never.'),
        seatBasis,
        seats: seatCount,
        entitlements,
      })
      .nullable()
      .describe('The license the key or token belongs to; null when none matches.'),
  })
  .meta({
    id: 'ValidateResponse',
    description: 'Whether a key or token is usable, and its license.',
    examples: [
      {
        valid: true,
        code: null,
        detail: null,
        license: {
          id: EXAMPLE_IDS.license,
          product: 'coditect',
          status: 'active',
          expiresAt: EXAMPLE_TIMES.licenseExpires,
          seatBasis: 'machine',
          seats: { used: 3, total: 5, overage: 0 },
          entitlements: ['pro', 'export:pdf'],
        },
      },
    ],
  });
export type ValidateResponse = z.infer<typeof validateResponse>;
