import type { LicenseTermsLoader } from './redis-license-terms.js';
import type { LockedLicense } from './seat-terms.js';

const MAX_ENTRIES = 100_000;

/**
 * How long after the change feed was lost a kept copy of a license's terms may still
 * answer a heartbeat, when PostgreSQL cannot be read either. A change committed in the
 * last moments before the feed dropped (its NOTIFY lost with the connection) can thus
 * reach heartbeats up to this late; past it, heartbeats answer 503 until PostgreSQL
 * answers again. No change can be committed while PostgreSQL is down.
 */
export const TERMS_STALE_BOUND_MS = 30_000;

interface Entry {
  value: LockedLicense;
  /** Served from memory until then, while the feed is heard. */
  until: number;
  /** When the value was read from PostgreSQL. */
  readAt: number;
}

/**
 * License terms kept in memory for heartbeats, so a routine heartbeat asks nothing
 * of PostgreSQL. Correct only while someone tells it of every change: a trigger
 * NOTIFYs each committed change of a license, plan or product, and a listener
 * calls `invalidate`. While that listener is not listening, every call reads
 * PostgreSQL; only when that read fails too (PostgreSQL is down) does the kept copy
 * answer, for at most TERMS_STALE_BOUND_MS after it was last known current. When the
 * listener starts again, everything is dropped (changes may have been missed).
 * Entries also lapse after `ttlMs`, a backstop should a notification be lost in a
 * way nobody noticed (a half-dead connection).
 */
export class LicenseTermsCache {
  #entries = new Map<string, Entry>();
  #listening = false;
  /** When the feed was last lost: kept copies were current until then. */
  #feedLostAt = Number.NEGATIVE_INFINITY;
  /** Bumped by every invalidation: a read that started before one must not be kept. */
  #generation = 0;

  constructor(
    private readonly loader: LicenseTermsLoader,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = () => performance.now(),
    private readonly staleBoundMs = TERMS_STALE_BOUND_MS,
  ) {}

  async load(licenseId: string): Promise<LockedLicense | null> {
    if (this.#listening) {
      const entry = this.#entries.get(licenseId);
      if (entry && entry.until > this.now()) return entry.value;
    }
    const generation = this.#generation;
    let value: LockedLicense | null;
    try {
      value = await this.loader.load(licenseId);
    } catch (error) {
      const kept = this.#keptCopy(licenseId);
      if (kept) return kept;
      throw error;
    }
    // A missing license is not kept: creating it sends no notification.
    if (value && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      const now = this.now();
      this.#entries.set(licenseId, { value, until: now + this.ttlMs, readAt: now });
    }
    return value;
  }

  /** The copy PostgreSQL's outage may fall back on: known current no longer ago than the bound. */
  #keptCopy(licenseId: string): LockedLicense | null {
    const entry = this.#entries.get(licenseId);
    if (!entry) return null;
    const now = this.now();
    const currentAt = this.#listening ? now : Math.max(entry.readAt, this.#feedLostAt);
    return now - currentAt <= this.staleBoundMs ? entry.value : null;
  }

  /** A license changed, or every license ('*': a plan or product changed). */
  invalidate(licenseId: string): void {
    this.#generation += 1;
    if (licenseId === '*') this.#entries.clear();
    else this.#entries.delete(licenseId);
  }

  /**
   * The change feed started or stopped. Starting, changes may have been missed: all is
   * dropped. Stopping, the copies were current until now: they are kept for an outage.
   */
  setListening(listening: boolean): void {
    this.#generation += 1;
    if (listening) this.#entries.clear();
    else if (this.#listening) this.#feedLostAt = this.now();
    this.#listening = listening;
  }

  get listening(): boolean {
    return this.#listening;
  }
}
