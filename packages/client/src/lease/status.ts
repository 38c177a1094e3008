import type { LeaseTokenClaims } from '@leasehold/protocol/lease-token';
import type { LeaseholdError } from '../errors/errors.js';
import type { AcquireAnswer } from './wire.js';

/**
 * Where a lease stands:
 * - `idle`: nothing acquired yet;
 * - `online`: the server granted the seat and heartbeats renew it;
 * - `offline`: the server cannot be reached; the cached token is used until its grace deadline;
 * - `borrowed`: the seat is checked out for offline use until `borrowedUntil`;
 * - `lost`: the seat is gone (grace ended, license revoked, …), see `error`;
 * - `released`: given back.
 *
 * @example
 * ```ts
 * if (client.status().mode === 'offline') showBanner('Working offline');
 * ```
 */
export type LeaseMode = 'idle' | 'online' | 'offline' | 'borrowed' | 'lost' | 'released';

/**
 * A snapshot of the lease, as `status()`, `acquire()` and the events report it.
 *
 * @example
 * ```ts
 * const s = client.status();
 * console.log(`${s.mode}, entitlements: ${s.entitlements.join(', ')}`);
 * ```
 */
export interface LeaseStatus {
  mode: LeaseMode;
  product: string;
  serverUrl: string;
  sessionId: string | null;
  licenseId: string | null;
  entitlements: string[];
  /** When the server lets the seat go unless a heartbeat renews it. */
  leaseExpiresAt: Date | null;
  /** The latest moment the program may run without reaching the server. */
  offlineGraceUntil: Date | null;
  /** Set while the seat is borrowed. */
  borrowedUntil: Date | null;
  /** The last time the server renewed the lease. */
  lastRenewedAt: Date | null;
  heartbeatIntervalSeconds: number | null;
  /** Seats used and total at the last acquire, when known. */
  seats: { used: number; total: number; overage: number } | null;
  fingerprint: string | null;
  /** Set when a CI job took the seat with its workload identity token: the mapping rule, its pool and any advisory warning. */
  ci: AcquireAnswer['ci'] | null;
  /** Why the lease is `lost`, or why it is `offline`. */
  error: LeaseholdError | null;
}

/**
 * What `inspectCache()` found on disk.
 *
 * @example
 * ```ts
 * const cached = await client.inspectCache();
 * if (cached.tokenError) console.log(`cached token unusable: ${cached.tokenError.message}`);
 * ```
 */
export interface CachedLease {
  statePath: string;
  /** The stored license key, masked: `ABCDE-…-YZ012`. */
  licenseKeyHint: string | null;
  sessionId: string | null;
  /** When the state was last written by a run (acquire, heartbeat, offline start): a running program renews it every heartbeat. */
  lastRenewedAt: Date | null;
  /** The plan's heartbeat interval, as last heard from the server. */
  heartbeatIntervalSeconds: number | null;
  /** The cached token's claims, decoded (check `tokenError` before trusting them). */
  claims: LeaseTokenClaims | null;
  /** Why the cached token would be refused offline now, or `null` when it is good. */
  tokenError: LeaseholdError | null;
}
