import type { LicenseTermsLoader } from './redis-license-terms.js';
import type { LockedLicense } from './seat-terms.js';

const MAX_ENTRIES = 100_000;

/**
 * License terms kept in memory for heartbeats, so a routine heartbeat asks nothing
 * of PostgreSQL. Correct only while someone tells it of every change: a trigger
 * NOTIFYs each committed change of a license, plan or product, and a listener
 * calls `invalidate`. While that listener is not listening, nothing is served from
 * memory (every call reads PostgreSQL); when it starts or stops, everything is
 * dropped. Entries also lapse after `ttlMs`, a backstop should a notification be
 * lost in a way nobody noticed (a half-dead connection).
 */
export class LicenseTermsCache {
  #entries = new Map<string, { value: LockedLicense; until: number }>();
  #listening = false;
  /** Bumped by every invalidation: a read that started before one must not be kept. */
  #generation = 0;

  constructor(
    private readonly loader: LicenseTermsLoader,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async load(licenseId: string): Promise<LockedLicense | null> {
    if (this.#listening) {
      const entry = this.#entries.get(licenseId);
      if (entry && entry.until > this.now()) return entry.value;
    }
    const generation = this.#generation;
    const value = await this.loader.load(licenseId);
    // A missing license is not kept: creating it sends no notification.
    if (value && this.#listening && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(licenseId, { value, until: this.now() + this.ttlMs });
    }
    return value;
  }

  /** A license changed, or every license ('*': a plan or product changed). */
  invalidate(licenseId: string): void {
    this.#generation += 1;
    if (licenseId === '*') this.#entries.clear();
    else this.#entries.delete(licenseId);
  }

  /** The change feed started or stopped: changes may have been missed either way. */
  setListening(listening: boolean): void {
    this.#generation += 1;
    this.#listening = listening;
    this.#entries.clear();
  }

  get listening(): boolean {
    return this.#listening;
  }
}
