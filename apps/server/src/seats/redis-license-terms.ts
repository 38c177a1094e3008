import type { Db } from '../db/database.js';
import type { LicenseRefusal } from './seat-store.js';
import { type LockedLicense, readLicenses } from './seat-terms.js';

/**
 * Reads license terms for the Redis seat store, fresh from PostgreSQL and without
 * row locks (Redis decides seats, not a row lock). Reads are coalesced: every
 * caller waits for a query that *starts after* it asked, so a suspension committed
 * before a heartbeat arrived is always seen by it, yet under load one query
 * answers hundreds of heartbeats. No cache: nothing can be stale.
 */
export class LicenseTermsLoader {
  #pending = new Map<string, Array<(value: LockedLicense | null | Error) => void>>();
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly maxInFlight = 2,
  ) {}

  load(licenseId: string): Promise<LockedLicense | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(licenseId) ?? [];
      waiters.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
      this.#pending.set(licenseId, waiters);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.maxInFlight || this.#pending.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight += 1;
    try {
      const rows = await readTerms(this.db, [...batch.keys()]);
      for (const [id, waiters] of batch) for (const w of waiters) w(rows.get(id) ?? null);
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w(error as Error);
    } finally {
      this.#inFlight -= 1;
      this.#schedule();
    }
  }
}

/** Terms of many licenses in one query, without row locks: Redis decides seats, not a lock. */
export function readTerms(db: Db, ids: string[]): Promise<Map<string, LockedLicense>> {
  return readLicenses(db, ids, null);
}

/** A refusal by status alone; expiry by time is judged inside the scripts, on Redis time. */
export function statusRefusal(status: LockedLicense['status']): LicenseRefusal | null {
  if (status === 'suspended') return 'LICENSE_SUSPENDED';
  if (status === 'revoked') return 'LICENSE_REVOKED';
  if (status === 'expired') return 'LICENSE_EXPIRED';
  return null;
}
