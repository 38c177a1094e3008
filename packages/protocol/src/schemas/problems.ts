import { z } from 'zod';
import { id, licenseStatus, problem, timestamp } from './common.js';
import { EXAMPLE_TIMES } from './examples.js';

// The problems that carry facts beyond RFC 9457's fields, one schema each, so a client
// generated from the OpenAPI document gets typed access to them. The server builds these
// bodies in one place (problem+json in the HTTP layer); these schemas describe them.

const errorList = z
  .array(
    z.object({
      path: z
        .string()
        .describe('Where the bad value is: `body`, `query`, `params` or `headers`, then the field path.')
        .meta({ examples: ['body.licenseKey'] }),
      message: z
        .string()
        .describe('What is wrong with it.')
        .meta({ examples: ['the license key has a typing mistake (its check character does not match)'] }),
    }),
  )
  .describe('Every field that failed, with what is wrong (empty when the request could not be read field by field).');

export const validationProblem = problem
  .extend({
    code: z.enum(['VALIDATION_FAILED', 'INVALID_LICENSE_KEY']).describe('VALIDATION_FAILED, or INVALID_LICENSE_KEY when only the license key is wrong.'),
    errors: errorList.optional(),
    licenseIds: z
      .array(id('license'))
      .optional()
      .describe("When a signed-in person's organisations hold several licenses of the product: the ones to choose from as `licenseId`."),
  })
  .meta({ id: 'ValidationProblem', description: 'A request field is missing, of the wrong type or out of range. Nothing was changed.' });

const holder = z
  .object({
    hostname: z
      .string()
      .nullable()
      .describe('The host name the holding program reported, if any.')
      .meta({ examples: ['alice-laptop'] }),
    userId: id('user').nullable().describe('The signed-in person holding the seat, if the seat was taken by signing in.'),
    since: timestamp.describe('When the holder took the seat.'),
    expiresAt: timestamp.describe('When the seat frees unless its holder heartbeats again.'),
  })
  .meta({ id: 'SeatHolder', description: 'One live seat of a license and who holds it.' });

export const queuePlace = z
  .object({
    ticket: id('queueTicket').describe('Your place in the queue: send it as `queueTicket` with the next acquire.'),
    position: z.number().int().min(1).describe('1 when you are next.'),
    waiting: z.number().int().min(1).describe('Live waiters on this license, you included.'),
    estimatedWaitSeconds: z
      .number()
      .int()
      .nullable()
      .describe('When a seat is likely yours: the lease end of the holder that frees your seat, unless released sooner; null when unknown.'),
    pollWithinSeconds: z.number().int().min(1).describe('Acquire again within this many seconds, or the place lapses.'),
  })
  .meta({ id: 'QueuePlace', description: 'A place in the seat queue of a license: seats that free go to live waiters in order.' });

export const queuedAcquire = z
  .object({
    ticket: id('queueTicket').describe('The place.'),
    position: z.number().int().min(1).describe('1 for the next to be served.'),
    kind: z.enum(['waiting', 'lingering']).describe('`lingering`: a seat just given back, held for the same machine or person.'),
    priority: z.enum(['high', 'normal', 'low']).describe("The waiter's class (normal unless the plan has queue priorities)."),
    fingerprint: z.string().describe('The machine waiting.'),
    hostname: z.string().nullable().describe('Its host name, when it sent one.'),
    userId: z.string().nullable().describe('The signed-in person waiting, if any.'),
    since: timestamp.describe('When it joined the queue.'),
    lapsesAt: timestamp.describe('When the place lapses unless the waiter polls again (a linger: when it ends).'),
  })
  .meta({ id: 'QueuedAcquire', description: 'An acquire waiting for a seat of the license, or a seat lingering for its releaser.' });

export const licenseQueue = z
  .object({ data: z.array(queuedAcquire).describe('In the order seats go to them (at most 500).') })
  .meta({ id: 'LicenseQueue', description: 'Who waits for a seat of the license now.' });

export const noSeatAvailableProblem = problem
  .extend({
    code: z.literal('NO_SEAT_AVAILABLE').describe('Every seat of the license is taken.'),
    seatsUsed: z.number().int().describe('Seats held now.'),
    seatsTotal: z.number().int().describe("The license's seats, without overage."),
    overage: z.number().int().describe('Seats allowed beyond `seatsTotal`; all of them are taken too.'),
    nextFreeAt: timestamp.nullable().describe('When the first held seat frees unless renewed; null when unknown.'),
    holders: z.array(holder).describe('Who holds the seats, the soonest to free first (empty when not known).'),
    queue: queuePlace.optional().describe('With `wait`: your place in the seat queue. Acquire again with its `ticket` (and `wait`) to keep it.'),
  })
  .meta({
    id: 'NoSeatAvailableProblem',
    description: 'Every seat (and overage) of the license is held. Retry after `Retry-After`, or ask a holder to release.',
  });

export const sessionExpiredProblem = problem
  .extend({
    code: z.literal('SESSION_EXPIRED').describe('The lease ran out and no seat is free to take again.'),
    seatsUsed: z.number().int().optional().describe('Seats held now by others.'),
    nextFreeAt: timestamp.nullable().optional().describe('When the first held seat frees unless renewed; null when unknown.'),
  })
  .meta({ id: 'SessionExpiredProblem', description: 'The session expired and could not take a seat again. Acquire a new seat later.' });

export const rateLimitedProblem = problem
  .extend({
    code: z.literal('RATE_LIMITED').describe('Too many requests.'),
    limit: z.number().int().describe('The limit that was exceeded, in requests a minute.'),
  })
  .meta({ id: 'RateLimitedProblem', description: 'Too many requests from this address, license, user or API key. Wait for `Retry-After` seconds.' });

export const forbiddenProblem = problem
  .extend({
    code: z.literal('FORBIDDEN').describe('The credentials are valid but do not allow this.'),
    requiredScope: z
      .string()
      .optional()
      .describe('The API key scope the route needs, when the key lacks it.')
      .meta({ examples: ['licenses:write'] }),
    requiredRole: z.enum(['owner', 'admin', 'member']).optional().describe('The role in the organisation the change needs, when the person lacks it.'),
  })
  .meta({ id: 'ForbiddenProblem', description: 'The caller is known but not allowed to do this.' });

export const borrowNotAllowedProblem = problem
  .extend({
    code: z.literal('BORROW_NOT_ALLOWED').describe('The plan does not allow a borrow this long.'),
    maxBorrowSeconds: z.number().int().describe('The longest borrow the plan allows, in seconds (0: none).'),
  })
  .meta({ id: 'BorrowNotAllowedProblem', description: "Borrowing is off for this license's plan, or the duration is over its limit." });

export const invalidStateProblem = problem
  .extend({
    code: z.literal('INVALID_STATE').describe('The resource is not in a state that allows this change.'),
    licenseStatus: licenseStatus.optional().describe("The license's status that refused the change, for license transitions."),
  })
  .meta({ id: 'InvalidStateProblem', description: 'The change is refused in the current state (e.g. suspending a revoked license). Nothing was changed.' });

export const unavailableProblem = problem
  .extend({
    code: z.literal('SERVICE_UNAVAILABLE').describe('A dependency is down or the server is overloaded or shutting down.'),
    dependency: z.enum(['database', 'redis', 'signer']).optional().describe('The dependency that could not answer, when one could not.'),
    checks: z
      .record(z.string(), z.string())
      .optional()
      .describe('For readiness: each dependency and `ok` or why it is unreachable.')
      .meta({ examples: [{ database: 'ok', redis: 'unreachable: no answer in 2000 ms' }] }),
  })
  .meta({ id: 'ServiceUnavailableProblem', description: 'Temporarily unavailable: retry after `Retry-After` seconds. Nothing was changed.' });

/** Which schema documents the problem of each code that has facts of its own. */
export const PROBLEM_SCHEMAS = {
  VALIDATION_FAILED: validationProblem,
  INVALID_LICENSE_KEY: validationProblem,
  NO_SEAT_AVAILABLE: noSeatAvailableProblem,
  SESSION_EXPIRED: sessionExpiredProblem,
  RATE_LIMITED: rateLimitedProblem,
  FORBIDDEN: forbiddenProblem,
  BORROW_NOT_ALLOWED: borrowNotAllowedProblem,
  INVALID_STATE: invalidStateProblem,
  SERVICE_UNAVAILABLE: unavailableProblem,
} as const;

/** The facts of an example problem of each code, beyond the RFC 9457 fields. */
export const EXAMPLE_PROBLEM_FACTS: Record<string, Record<string, unknown>> = {
  VALIDATION_FAILED: { errors: [{ path: 'body.fingerprint', message: 'Too small: expected string to have >=8 characters' }] },
  INVALID_LICENSE_KEY: { errors: [{ path: 'body.licenseKey', message: 'the license key has a typing mistake (its check character does not match)' }] },
  NO_SEAT_AVAILABLE: {
    seatsUsed: 5,
    seatsTotal: 5,
    overage: 0,
    nextFreeAt: EXAMPLE_TIMES.leaseExpires,
    holders: [{ hostname: 'bob-workstation', userId: null, since: EXAMPLE_TIMES.acquired, expiresAt: EXAMPLE_TIMES.leaseExpires }],
  },
  SESSION_EXPIRED: { seatsUsed: 5, nextFreeAt: EXAMPLE_TIMES.leaseExpires },
  RATE_LIMITED: { limit: 600 },
  FORBIDDEN: { requiredScope: 'licenses:write' },
  BORROW_NOT_ALLOWED: { maxBorrowSeconds: 0 },
  INVALID_STATE: { licenseStatus: 'revoked' },
};
