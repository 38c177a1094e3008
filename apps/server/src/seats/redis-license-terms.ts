import type { Db } from '../db/database.js';
import { BatchLoader } from '../kernel/batch-loader.js';
import type { LicenseRefusal } from './seat-store.js';
import { type LockedLicense, readLicenses } from './seat-terms.js';

/**
 * Reads license terms for the Redis seat store, fresh from PostgreSQL and without
 * row locks (Redis decides seats, not a row lock). Reads are coalesced (BatchLoader):
 * a suspension committed before a request arrived is always seen by it, yet under
 * load one query answers hundreds of requests. No cache: nothing can be stale.
 */
export class LicenseTermsLoader {
  readonly #loader: BatchLoader<string, LockedLicense>;

  constructor(db: Db) {
    // Two reads at a time: more would only queue for pool connections the writes need.
    this.#loader = new BatchLoader((ids) => readTerms(db, ids), 2);
  }

  load(licenseId: string): Promise<LockedLicense | null> {
    return this.#loader.load(licenseId);
  }
}

/** Terms of many licenses in one query, without row locks: Redis decides seats, not a lock. */
function readTerms(db: Db, ids: string[]): Promise<Map<string, LockedLicense>> {
  return readLicenses(db, ids, null);
}

/** A refusal by status alone; expiry by time is judged inside the scripts, on Redis time. */
export function statusRefusal(status: LockedLicense['status']): LicenseRefusal | null {
  if (status === 'suspended') return 'LICENSE_SUSPENDED';
  if (status === 'revoked') return 'LICENSE_REVOKED';
  if (status === 'expired') return 'LICENSE_EXPIRED';
  return null;
}
