import type { RedisConnection } from '../redis/connection.js';
import { MemoryRateLimiter, type RateDecision, type RateLimiter } from './rate-limiter.js';

/**
 * Fixed-window counts shared by every replica: one script increments the window's
 * counter and sets its expiry on the first hit, so a window can never be left
 * without one. While Redis cannot answer, each replica counts on its own
 * (in memory) rather than letting every request through or refusing all.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #fallback = new MemoryRateLimiter();

  constructor(
    private readonly connection: RedisConnection,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const windowMs = windowSeconds * 1000;
    let reply: [number, number];
    try {
      reply = (await this.connection.run('ratelimit', (c) => c.lhRateHit(`${this.prefix}rl:${windowSeconds}:${key}`, windowMs))) as [number, number];
    } catch {
      return this.#fallback.hit(key, limit, windowSeconds);
    }
    const [count, ttlMs] = reply;
    return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  async close(): Promise<void> {
    await this.#fallback.close();
  }
}
