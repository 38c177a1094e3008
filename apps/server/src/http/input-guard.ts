import type { FastifyRequest } from 'fastify';
import { LeaseholdError } from '../kernel/errors.js';

/** Keys that reach an object's prototype when code merges input into another object. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** The first field of parsed input no route may accept, with why, or null. */
function unsafeField(value: unknown, path: string, depth = 0): { path: string; message: string } | null {
  // PostgreSQL text cannot hold U+0000: refused here, by name, instead of failing in the driver.
  if (typeof value === 'string') return value.includes('\u0000') ? { path, message: 'must not contain the NUL character' } : null;
  if (depth > 32 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const key of Object.keys(value)) {
    const here = `${path}.${key}`;
    if (RESERVED.has(key)) return { path: here, message: 'is a reserved key and is not accepted' };
    if (key.includes('\u0000')) return { path: here, message: 'must not contain the NUL character' };
    const inner = unsafeField((value as Record<string, unknown>)[key], here, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/**
 * The refusal of a body or query with a prototype key or a NUL character, naming the
 * field (undefined when there is none).
 * The JSON parser keeps prototype keys as plain own properties (it does not throw on
 * them), so this check can say which field it is instead of "Body is not valid JSON".
 */
export function unsafeInputRefusal(request: FastifyRequest): LeaseholdError | undefined {
  const found = unsafeField(request.body, 'body') ?? unsafeField(request.query, 'querystring') ?? unsafeField(request.params, 'params');
  return found ? new LeaseholdError('VALIDATION_FAILED', `${found.path}: ${found.message}`, { errors: [found] }) : undefined;
}
