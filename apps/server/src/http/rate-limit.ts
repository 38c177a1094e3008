import type { FastifyReply, FastifyRequest } from 'fastify';
import { LeaseholdError } from '../kernel/errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** Refuses the request with 429 and Retry-After when `key` went over `perMinute`. A limit of 0 turns it off. */
export async function enforceRateLimit(limiter: RateLimiter, reply: FastifyReply, what: string, key: string, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  const decision = await limiter.hit(key, perMinute, 60);
  if (!decision.allowed) {
    throw new LeaseholdError(
      'RATE_LIMITED',
      `Too many requests ${what}: at most ${perMinute} a minute. Retry in ${decision.retryAfterSeconds} s.`,
      { limit: perMinute },
      decision.retryAfterSeconds,
    );
  }
  reply.header('ratelimit-remaining', String(decision.remaining));
}

/** The caller's IP as a rate-limit key. */
export const ipKey = (request: FastifyRequest) => `ip:${request.ip}`;
