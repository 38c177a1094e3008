import type { LeaseholdError, QueuePlace } from '../errors/errors.js';
import type { LeaseStatus } from './status.js';

/**
 * The events a {@link LeaseClient} emits.
 * - `renewed`: a heartbeat (or acquire) succeeded;
 * - `offline`: the server stopped answering; the cached token carries on until its grace deadline;
 * - `recovered`: the server answers again after `offline`;
 * - `lost`: the seat is gone; stop using licensed features and tell the person `error.message`;
 * - `queued`: with `wait`, no seat yet: the place in the seat queue (position, estimate) after each poll.
 *
 * @example
 * ```ts
 * client.on('lost', (error) => { console.error(error.message); process.exitCode = 6; });
 * client.on('offline', (error, status) => console.warn(`offline until ${status.offlineGraceUntil}`));
 * ```
 */
export interface LeaseEvents {
  renewed: [status: LeaseStatus];
  offline: [error: LeaseholdError, status: LeaseStatus];
  recovered: [status: LeaseStatus];
  lost: [error: LeaseholdError, status: LeaseStatus];
  queued: [place: QueuePlace];
}
