import { inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { seatEpochs } from '../db/schema.js';
import { LeaseholdError } from '../kernel/errors.js';
import { REDIS_RETRY_AFTER_SECONDS } from '../redis/connection.js';

/**
 * The fence between a Redis decision and its record in PostgreSQL. Every seat script
 * answers the epoch it decided under; a write that makes a promise PostgreSQL did not
 * already cover checks, under a share lock on the license's seat_epochs row, that the
 * epoch is still PostgreSQL's. A rebuild replaces the epoch under the row lock before
 * it reads the sessions, so a decision of the old epoch committed before that read
 * (and is loaded) or fails here (and is never promised).
 */
export class SeatFenced extends LeaseholdError {
  constructor(readonly licenseId: string) {
    super('SERVICE_UNAVAILABLE', 'The seat store is recovering for a moment. Nothing was changed; retry shortly.', {}, REDIS_RETRY_AFTER_SECONDS);
  }
}

/** The licenses among `decided` (license → epoch) whose epoch PostgreSQL no longer has. Takes share locks. */
export async function staleEpochs(tx: Executor, decided: Map<string, string>): Promise<Set<string>> {
  if (decided.size === 0) return new Set();
  const ids = [...decided.keys()].sort();
  const rows = await tx
    .select({ licenseId: seatEpochs.licenseId, epoch: seatEpochs.epoch })
    .from(seatEpochs)
    .where(inArray(seatEpochs.licenseId, ids))
    .orderBy(seatEpochs.licenseId)
    .for('share');
  const current = new Map(rows.map((r) => [r.licenseId, r.epoch]));
  return new Set(ids.filter((id) => current.get(id) !== decided.get(id)));
}

/** Throws SeatFenced unless `epoch` is still the license's. */
export async function checkFence(tx: Executor, licenseId: string, epoch: string): Promise<void> {
  if ((await staleEpochs(tx, new Map([[licenseId, epoch]]))).size > 0) throw new SeatFenced(licenseId);
}

/** Makes `epoch` the license's, waiting for every write still checking the old one. */
export async function replaceEpoch(tx: Executor, licenseId: string, epoch: string): Promise<void> {
  await tx
    .insert(seatEpochs)
    .values({ licenseId, epoch, rebuiltAt: sql`now()` })
    .onConflictDoUpdate({ target: seatEpochs.licenseId, set: { epoch, rebuiltAt: sql`now()` } });
}
