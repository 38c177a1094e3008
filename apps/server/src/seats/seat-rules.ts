import type { SeatTerms } from '../kernel/seat-terms.js';
import type { LicenseRefusal } from './seat-store.js';

/**
 * The seat rules, written once. Both stores call these (the SQL store directly, the
 * Redis store for everything outside its scripts, and the scripts in
 * redis/seat-scripts.ts mirror them line for line); test/seats/scenario-table.ts runs
 * one table of scenarios against this module's model, the SQL store and the Redis
 * store, so they cannot drift. Pure: no clock, no I/O; times are epoch milliseconds.
 */

/** Live seats a license may hold: its seats plus its overage. */
export const capacity = (terms: Pick<SeatTerms, 'seats' | 'overage'>): number => terms.seats + terms.overage;

/** Why a license cannot hold seats at `nowMs`, or null. Expiry is judged on the store's clock. */
export function licenseRefusal(license: { status: string; expiresAt: Date | null }, nowMs: number): LicenseRefusal | null {
  if (license.status === 'suspended') return 'LICENSE_SUSPENDED';
  if (license.status === 'revoked') return 'LICENSE_REVOKED';
  if (license.status === 'expired' || (license.expiresAt !== null && license.expiresAt.getTime() <= nowMs)) return 'LICENSE_EXPIRED';
  return null;
}

/** A session is live while now < its expiry. */
export const isLive = (expiresAtMs: number, nowMs: number): boolean => nowMs < expiresAtMs;

/**
 * Whether a request may hold a seat: its basis key already holds one (a shared seat),
 * or fewer than `capacity` seats are live. Over capacity (seats lowered, or a rebuild
 * that counts every session PostgreSQL cannot prove ended) a shared seat is refused
 * too: the seat joined may be one nobody holds any more, and joining it would make
 * more seats held than allowed.
 */
export function seatDecision(s: { used: number; mine: boolean; capacity: number }): 'shared' | 'new' | 'refused' {
  if (s.mine) return s.used <= s.capacity ? 'shared' : 'refused';
  return s.used < s.capacity ? 'new' : 'refused';
}

/** The lease end of a grant or renewal at `nowMs`: one lease on, or the end of a borrow if later. */
export const leaseEnd = (nowMs: number, leaseTtlSeconds: number, borrowedUntilMs: number | null): number =>
  Math.max(nowMs + leaseTtlSeconds * 1000, borrowedUntilMs ?? 0);

/** Whether a heartbeat must sign a new token: none yet, or the one it has is due for renewal. */
export const tokenDue = (token: string | null, renewAtMs: number | null, nowMs: number): boolean => !token || renewAtMs === null || renewAtMs <= nowMs;

/**
 * A borrow: refused beyond the plan's maximum; otherwise the session is held until the
 * borrow ends (or a lease on, if later), never past the license's own expiry.
 */
export function borrowDecision(
  nowMs: number,
  durationSeconds: number,
  maxBorrowSeconds: number,
  leaseTtlSeconds: number,
  licenseExpiresAtMs: number | null,
): { kind: 'refused' } | { kind: 'borrowed'; expiresAtMs: number; borrowedUntilMs: number } {
  if (durationSeconds > maxBorrowSeconds) return { kind: 'refused' };
  const borrowed = nowMs + durationSeconds * 1000;
  let expiresAtMs = Math.max(nowMs + leaseTtlSeconds * 1000, borrowed);
  if (licenseExpiresAtMs !== null && licenseExpiresAtMs < expiresAtMs) expiresAtMs = licenseExpiresAtMs;
  return { kind: 'borrowed', expiresAtMs, borrowedUntilMs: Math.min(expiresAtMs, borrowed) };
}

/** The audit payloads of seat decisions (the stores add licenseId and the clock). */
export const seatPayload = {
  granted: (terms: Pick<SeatTerms, 'seats' | 'seatBasis'>, g: { sharedSeat: boolean; seatsUsed: number; hostname: string | null; fingerprint: string }) => ({
    basis: terms.seatBasis,
    sharedSeat: g.sharedSeat,
    overage: g.seatsUsed > terms.seats,
    seatsUsed: g.seatsUsed,
    seatsTotal: terms.seats,
    hostname: g.hostname,
    fingerprint: g.fingerprint,
  }),
  noSeat: (terms: Pick<SeatTerms, 'seats'>, used: number, fingerprint: string) => ({ code: 'NO_SEAT_AVAILABLE', used, total: terms.seats, fingerprint }),
  licenseRefused: (code: LicenseRefusal, fingerprint: string) => ({ code, fingerprint }),
  sessionExpired: (terms: Pick<SeatTerms, 'seats'>, used: number) => ({ code: 'SESSION_EXPIRED', used, total: terms.seats }),
  expired: (expiredAtMs: number) => ({ expiredAt: new Date(expiredAtMs).toISOString() }),
  reacquired: (sharedSeat: boolean) => ({ sharedSeat }),
  borrowed: (borrowedUntilMs: number) => ({ borrowedUntil: new Date(borrowedUntilMs).toISOString() }),
  ended: (startedAtMs: number, nowMs: number) => ({ heldSeconds: Math.round((nowMs - startedAtMs) / 1000) }),
  refusedEnd: (code: LicenseRefusal) => ({ reason: code }),
};
