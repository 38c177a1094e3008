/**
 * Counts requests per key in fixed windows. The in-memory limiter serves one
 * process; with Redis configured, a shared limiter counts across replicas.
 */
export interface RateLimiter {
  /** Counts one request; says whether it is within `limit` per `windowSeconds`, and when to retry if not. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, { resetAt: number; count: number }>();
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly nowMs: () => number = Date.now) {
    // Drop finished windows now and then so the map does not grow with every IP ever seen.
    this.#sweep = setInterval(() => {
      const now = this.nowMs();
      for (const [key, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(key);
    }, 60_000);
    this.#sweep.unref();
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = this.nowMs();
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { resetAt: now + windowSeconds * 1000, count: 0 };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return { allowed: w.count <= limit, remaining: Math.max(0, limit - w.count), retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
  }
}
