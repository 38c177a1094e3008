import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { SeatTerms } from '../kernel/seat-terms.js';

/**
 * Every seat decision goes through a SeatStore: the SQL store (one transaction with
 * a row lock on the license) and the Redis store (Lua scripts, PostgreSQL as the
 * source of truth) both implement it, and one shared test suite runs against both.
 *
 * Denials are answers, not exceptions: the licensing service turns them into errors.
 */
export interface SeatStore {
  readonly kind: string;
  acquire(request: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome>;
  heartbeat(request: SessionRef, ctx: RequestContext): Promise<HeartbeatOutcome>;
  /** Checks a live session out for offline use until `durationSeconds` from now. */
  borrow(request: SessionRef, durationSeconds: number, ctx: RequestContext): Promise<BorrowOutcome>;
  release(request: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome>;
  /** Ends a live session on an administrator's or owner's word. */
  forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome>;
  /** Marks sessions whose lease ran out as ended (and audits each). Returns how many. */
  reapExpired(ctx: RequestContext): Promise<number>;
  /** Live seats (distinct basis keys) of each license given. */
  seatsInUse(licenseIds: string[]): Promise<Map<string, number>>;
  /**
   * The latest heartbeat times of these sessions, where the store knows them better than
   * the session rows do (the Redis store copies heartbeats to PostgreSQL lazily).
   * Sessions it has nothing newer for are left out.
   */
  latestHeartbeats?(sessions: Array<{ id: string; licenseId: string }>): Promise<Map<string, HeartbeatTimes>>;
  /**
   * Compares the store's seat counts with PostgreSQL's sessions and repairs what
   * disagrees, in the safe direction (stores that count in PostgreSQL itself need none).
   */
  reconcile?(licenseId?: string): Promise<{ licenses: number; orphans: number; missing: number; rebuilt: string[] }>;
  close(): Promise<void>;
}

export interface HeartbeatTimes {
  lastHeartbeatAt: Date;
  expiresAt: Date;
}

export interface AcquireSeat {
  licenseId: string;
  /** The hash of the key the caller presented, re-checked under the lock; null for a signed-in user. */
  keyHash: string | null;
  userId: string | null;
  fingerprint: string;
  fingerprintComponents: Record<string, string> | null;
  hostname: string | null;
  platform: string | null;
  clientVersion: string | null;
  idempotencyKey: string | null;
  ip: string | null;
}

export interface SessionRef {
  sessionId: string;
  sessionSecret: string;
}

/** A live session as the licensing service needs it to answer and sign a token. */
export interface LiveSession {
  sessionId: string;
  userId: string | null;
  fingerprint: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
  expiresAt: Date;
  borrowedUntil: Date | null;
  terms: SeatTerms;
  /** The newest lease token; a heartbeat returns it again while it is fresh. */
  leaseToken: string;
}

/** Someone holding a seat, as shown to a caller who was refused one. */
export interface SeatHolder {
  hostname: string | null;
  userId: string | null;
  since: Date;
  expiresAt: Date;
}

export type LicenseRefusal = 'LICENSE_NOT_FOUND' | 'LICENSE_SUSPENDED' | 'LICENSE_REVOKED' | 'LICENSE_EXPIRED';

export type AcquireOutcome =
  | { kind: 'granted'; session: LiveSession; sessionSecret: string; reused: boolean; seatsUsed: number }
  | { kind: 'no-seat'; terms: SeatTerms; seatsUsed: number; nextFreeAt: Date | null; holders: SeatHolder[] }
  | { kind: 'license-refused'; code: LicenseRefusal }
  | { kind: 'idempotency-conflict' };

export type HeartbeatOutcome =
  | { kind: 'renewed'; session: LiveSession; reacquired: boolean }
  | { kind: 'not-found' }
  | { kind: 'expired'; seatsUsed: number; nextFreeAt: Date | null }
  | { kind: 'license-refused'; code: LicenseRefusal };

export type BorrowOutcome =
  | { kind: 'borrowed'; session: LiveSession }
  | { kind: 'not-found' }
  | { kind: 'expired'; seatsUsed: number; nextFreeAt: Date | null }
  | { kind: 'license-refused'; code: LicenseRefusal }
  | { kind: 'borrow-refused'; maxBorrowSeconds: number };

export type ReleaseOutcome = { kind: 'released'; sessionId: string; licenseId: string } | { kind: 'not-found' };
