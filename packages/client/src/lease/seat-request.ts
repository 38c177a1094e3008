import { hostname as osHostname, platform as osPlatform, release as osRelease } from 'node:os';
import { licenseKeyProblem, normaliseLicenseKey } from '@leasehold/protocol/license-key';
import type { Clock } from '../clock.js';
import { LeaseholdError, NoSeatAvailableError, type QueuePlace } from '../errors/errors.js';
import type { Fingerprint } from '../fingerprint/fingerprint.js';
import type { Transport, TransportResponse } from '../http/transport.js';
import { type AcquireAnswer, PATHS } from './wire.js';

// How long one poll of the seat queue asks the server to hold it (the server holds at most 20 s).
const MAX_HOLD_SECONDS = 15;
// The transport's bound on one try (see TransportOptions.timeoutMs).
const PER_TRY_MS = 10_000;

/**
 * A key in canonical form, or a typed error before any request when it cannot be one.
 *
 * @example
 * ```ts
 * checkedLicenseKey(' abcde-… '); // the key, upper case and trimmed; throws INVALID_LICENSE_KEY when malformed
 * ```
 */
export function checkedLicenseKey(key: string | undefined): string | undefined {
  if (!key) return undefined;
  const canonical = normaliseLicenseKey(key);
  const problem = licenseKeyProblem(canonical);
  if (problem) throw new LeaseholdError('INVALID_LICENSE_KEY', `This is not a valid license key: ${problem}.`);
  return canonical;
}

/**
 * The bound on one call in ms: the option, else `LEASEHOLD_TIMEOUT_SECONDS`, else 30 s.
 *
 * @example
 * ```ts
 * callDeadlineMs(undefined, '5'); // 5000
 * ```
 */
export function callDeadlineMs(option: number | undefined, fromEnv: string | undefined): number {
  const seconds = option ?? (fromEnv && Number(fromEnv) > 0 ? Number(fromEnv) : 30);
  return Math.max(1, seconds * 1000);
}

export interface SeatRequestInput {
  product: string;
  licenseKey: string | undefined;
  fingerprint: Fingerprint;
  /** The name colleagues see; the OS hostname when not given. */
  hostname: string | undefined;
  clientVersion: string | undefined;
}

/**
 * The body of an acquire request, with a fresh idempotency key.
 *
 * @example
 * ```ts
 * const request = seatRequest({ product: 'coditect', licenseKey, fingerprint, hostname: undefined, clientVersion: undefined });
 * ```
 */
export function seatRequest(input: SeatRequestInput): Record<string, unknown> {
  return {
    product: input.product,
    ...(input.licenseKey ? { licenseKey: input.licenseKey } : {}),
    fingerprint: input.fingerprint.fingerprint,
    fingerprintComponents: input.fingerprint.components,
    hostname: (input.hostname ?? osHostname()).slice(0, 255) || 'unknown',
    platform: `${osPlatform()}-${osRelease()}`.slice(0, 64),
    ...(input.clientVersion ? { clientVersion: input.clientVersion.slice(0, 64) } : {}),
    // One key per acquire() call: a retry after a lost answer (or the next poll of a wait) gets the same seat back.
    idempotencyKey: `acq-${crypto.randomUUID()}`,
  };
}

export interface InLine {
  transport: Transport;
  clock: Clock;
  /** How long to wait for a seat in the queue, in seconds (0: not at all). */
  waitSeconds: number;
  /** The bound on one call, before any hold. */
  deadlineMs: number;
  onQueued: (place: QueuePlace) => void;
}

/**
 * Asks for the seat; with a wait, waits in the server's seat queue for up to that
 * long, polling with the place's ticket (each poll is held by the server for up to
 * 15 s) and telling the place after each. The same idempotency key throughout, so
 * the seat is taken once.
 *
 * @example
 * ```ts
 * const { body } = await acquireInLine(request, {}, { transport, clock, waitSeconds: 300, deadlineMs: 30_000, onQueued: console.log });
 * ```
 */
export async function acquireInLine(
  request: Record<string, unknown>,
  auth: { authorization?: string; bearer?: string },
  line: InLine,
): Promise<TransportResponse<AcquireAnswer>> {
  const waitUntil = line.clock.now() + Math.max(0, line.waitSeconds) * 1000;
  let ticket: string | undefined;
  for (;;) {
    const remaining = Math.ceil((waitUntil - line.clock.now()) / 1000);
    const wait = Math.min(remaining, MAX_HOLD_SECONDS);
    try {
      return await line.transport.postJson<AcquireAnswer>(
        PATHS.acquire,
        { ...request, ...(wait > 0 ? { wait } : {}), ...(ticket ? { queueTicket: ticket } : {}) },
        // A held poll may take the whole hold: the usual bounds, plus the hold.
        wait > 0 ? { ...auth, timeoutMs: Math.min(PER_TRY_MS, line.deadlineMs) + wait * 1000, deadlineMs: line.deadlineMs + wait * 1000 } : auth,
      );
    } catch (error) {
      if (!(error instanceof NoSeatAvailableError) || !error.queue || remaining <= MAX_HOLD_SECONDS) throw error;
      ticket = error.queue.ticket;
      line.onQueued(error.queue);
    }
  }
}
