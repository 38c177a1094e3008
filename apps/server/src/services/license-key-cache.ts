/**
 * Remembers which license a key opens for a product, so a busy license's
 * acquires skip one database read each. Entries live a minute; the seat store
 * re-checks the key's hash under the license lock, and a refusal evicts the
 * entry, so a rotated key stops working at once.
 */
export class LicenseKeyCache {
  readonly #entries = new Map<string, { licenseId: string; until: number }>();

  constructor(
    private readonly nowMs: () => number,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(product: string, keyHash: string): string | null {
    const key = `${product}\n${keyHash}`;
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.until <= this.nowMs()) {
      this.#entries.delete(key);
      return null;
    }
    return entry.licenseId;
  }

  set(product: string, keyHash: string, licenseId: string): void {
    // A Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(`${product}\n${keyHash}`, { licenseId, until: this.nowMs() + this.ttlMs });
  }

  evict(product: string, keyHash: string): void {
    this.#entries.delete(`${product}\n${keyHash}`);
  }
}
