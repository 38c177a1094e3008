/** Which sessions hold which seat-basis keys of one license, as the rollup has read them. */
export class SeatHolders {
  /** licenseId → basis key → live session IDs. */
  readonly #keys = new Map<string, Map<string, Set<string>>>();
  /** The sessions whose liveness changed: their final state is written back. */
  readonly #touched = new Map<string, { licenseId: string; basisKey: string; live: boolean }>();

  /** A session the store already counts as live. */
  load(licenseId: string, basisKey: string, sessionId: string): void {
    this.#set(licenseId, basisKey).add(sessionId);
  }

  /** A session took its seat; true when its key took a seat no session of that key held. */
  start(licenseId: string, basisKey: string, sessionId: string): boolean {
    const set = this.#set(licenseId, basisKey);
    if (set.has(sessionId)) return false;
    set.add(sessionId);
    this.#touched.set(sessionId, { licenseId, basisKey, live: true });
    return set.size === 1;
  }

  /** A session ended; true when its key's seat is now free. An unknown session frees nothing. */
  end(licenseId: string, basisKey: string, sessionId: string): boolean {
    const set = this.#set(licenseId, basisKey);
    if (!set.delete(sessionId)) return false;
    this.#touched.set(sessionId, { licenseId, basisKey, live: false });
    return set.size === 0;
  }

  changes(): Array<{ sessionId: string; licenseId: string; basisKey: string; live: boolean }> {
    return [...this.#touched].map(([sessionId, t]) => ({ sessionId, ...t }));
  }

  #set(licenseId: string, basisKey: string): Set<string> {
    let keys = this.#keys.get(licenseId);
    if (!keys) {
      keys = new Map();
      this.#keys.set(licenseId, keys);
    }
    let set = keys.get(basisKey);
    if (!set) {
      set = new Set();
      keys.set(basisKey, set);
    }
    return set;
  }
}
