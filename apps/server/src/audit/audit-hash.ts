import { createHash } from 'node:crypto';
import type { AuditContent } from '../repositories/audit-repository.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the same row always hashes the same after a round trip through jsonb. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 of the canonical content, computed where the row is written. */
export function contentDigest(content: AuditContent): string {
  return createHash('sha256')
    .update(canonicalJson({ ...content, at: content.at.toISOString() }))
    .digest('hex');
}

/**
 * hash = SHA-256(prevHash ‖ "\n" ‖ seq ‖ "\n" ‖ contentDigest). PostgreSQL computes the same
 * in the append statement (see audit-log.ts), so the chain is linked under the head's
 * lock without a round trip. Changing any field, the order or a link breaks the chain.
 */
export function linkHash(prevHash: string, seq: number, digest: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${digest}`).digest('hex');
}
