import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './server-folders.js';

/**
 * Wall-clock time reaches the server only through kernel/clock.ts, so a test's injected clock
 * moves everything that reads time. Monotonic waits (`performance.now()`) are not wall time
 * and stay allowed.
 */
const WALL_CLOCK_READS = /\bDate\.now\(\)|\bnew Date\(\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const wallClockReads = (text: string) => [...text.matchAll(WALL_CLOCK_READS)].map((match) => match[0]);

describe('one clock', () => {
  it('no server file but kernel/clock.ts reads the wall clock', () => {
    const src = join(repositoryRoot, 'apps/server/src');
    const files = sources(src);
    expect(files.length, 'the sources were found').toBeGreaterThan(50);
    const offenders = files
      .filter((file) => !file.endsWith(`${join('src', 'kernel', 'clock.ts')}`))
      .flatMap((file) => wallClockReads(readFileSync(file, 'utf8')).map((read) => `${file.slice(src.length + 1)}: ${read}`));
    expect(offenders).toEqual([]);
  });

  it('recognises the reads it forbids, and not a date built from a value', () => {
    expect(wallClockReads('a = Date.now(); b = new Date(); c = new Date( )')).toEqual(['Date.now()', 'new Date()', 'new Date( )']);
    expect(wallClockReads('new Date(ms); new Date(row.at); performance.now()')).toEqual([]);
  });
});
