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

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('queries live in repositories', () => {
  it('no server file outside repositories, seats and db imports Drizzle or the schema', () => {
    const src = join(repositoryRoot, 'apps/server/src');
    const files = sources(src).map((file) => relative(src, file).split('\\').join('/'));
    expect(files.length, 'the sources were found').toBeGreaterThan(50);
    const importing = files
      .filter((file) => !QUERY_FOLDERS.includes(file.split('/')[0] as string))
      .filter((file) => QUERY_IMPORT.test(readFileSync(join(src, file), 'utf8')))
      .sort();
    expect(importing).toEqual([]);
  });

  it('recognises imports of Drizzle and of the schema, and not of the database handle', () => {
    expect(QUERY_IMPORT.test("import { eq } from 'drizzle-orm';")).toBe(true);
    expect(QUERY_IMPORT.test("import { drizzle } from 'drizzle-orm/node-postgres';")).toBe(true);
    expect(QUERY_IMPORT.test("import { users } from '../db/schema.js';")).toBe(true);
    expect(QUERY_IMPORT.test("import type { Executor } from '../db/database.js';")).toBe(false);
  });
});
