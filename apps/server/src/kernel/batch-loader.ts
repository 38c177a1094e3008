type Waiter<V> = (value: V | null | Error) => void;

/**
 * Coalesces lookups by key: every key asked for while no more than `maxInFlight`
 * loads run is read in the next load, which starts one event-loop turn later (so
 * requests arriving together share it). Each caller waits for a load that starts
 * after it asked, so it never gets an answer read before its request came in.
 */
export class BatchLoader<K, V> {
  #pending = new Map<K, Waiter<V>[]>();
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxInFlight = Number.POSITIVE_INFINITY,
  ) {}

  /** The value for `key`, or null when the load found none. */
  load(key: K): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(key) ?? [];
      waiters.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
      this.#pending.set(key, waiters);
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
      const found = await this.loadMany([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w(found.get(key) ?? null);
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w(error as Error);
    } finally {
      this.#inFlight -= 1;
      this.#schedule();
    }
  }
}
