import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './server-folders.js';

/**
 * Queries live in repositories (and in the seat stores, whose SQL is their protocol):
 * only those folders and the database's own import Drizzle or the schema, so a service
 * holds rules and a newcomer finds every query of an aggregate in one file.
 */
const QUERY_FOLDERS = ['repositories', 'seats', 'db'];
const QUERY_IMPORT = /\bfrom\s+'(drizzle-orm(?:\/[^']*)?|[^']*\/db\/schema\.js)'/;

/** Files that still hold their own queries. Shrink-only: move a file's SQL out, then take it off. */
const NOT_YET_MOVED = [
  'audit/audit-log.ts',
  'audit/verify-chain.ts',
  'identity/account-service.ts',
  'identity/device-service.ts',
  'identity/housekeeping.ts',
  'identity/membership-service.ts',
  'identity/sign-in-service.ts',
  'identity/token-service.ts',
  'identity/user-licenses.ts',
  'seat-queue/compose-queue.ts',
  'seat-queue/seat-queue.ts',
  'services/api-key-service.ts',
  'services/audit-service.ts',
  'services/catalog-service.ts',
  'services/ci-mapping-service.ts',
  'services/ci-pool.ts',
  'services/license-service.ts',
  'services/licensing-service.ts',
  'services/organisation-service.ts',
  'services/session-service.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('queries live in repositories', () => {
  it('no server file outside repositories, seats and db imports Drizzle or the schema, beyond the list of those not yet moved', () => {
    const src = join(repositoryRoot, 'apps/server/src');
    const files = sources(src).map((file) => relative(src, file).split('\\').join('/'));
    expect(files.length, 'the sources were found').toBeGreaterThan(50);
    const importing = files
      .filter((file) => !QUERY_FOLDERS.includes(file.split('/')[0] as string))
      .filter((file) => QUERY_IMPORT.test(readFileSync(join(src, file), 'utf8')))
      .sort();
    // Equal, not contained: a file that moved its queries out must leave the list too.
    expect(importing).toEqual([...NOT_YET_MOVED].sort());
  });

  it('recognises imports of Drizzle and of the schema, and not of the database handle', () => {
    expect(QUERY_IMPORT.test("import { eq } from 'drizzle-orm';")).toBe(true);
    expect(QUERY_IMPORT.test("import { drizzle } from 'drizzle-orm/node-postgres';")).toBe(true);
    expect(QUERY_IMPORT.test("import { users } from '../db/schema.js';")).toBe(true);
    expect(QUERY_IMPORT.test("import type { Executor } from '../db/database.js';")).toBe(false);
  });
});
