import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repositoryRoot, serverFolderEdges } from './server-folders.js';

/**
 * The README's code map says, for every folder of the server, what it imports. This test
 * keeps that true in both directions: an import the map does not name fails, and so does a
 * named one the code no longer makes, so the map never drifts from the code.
 */
describe('README code map', () => {
  it('names every server folder and exactly the folders each imports', async () => {
    const stated = statedImports(readFileSync(`${repositoryRoot}README.md`, 'utf8'));
    const actual = await serverFolderEdges();
    expect(actual.size, 'folders were found').toBeGreaterThan(10);
    const asLists = (map: Map<string, Set<string>>) => Object.fromEntries([...map].map(([name, imports]) => [name, [...imports].sort()]).sort());
    expect(asLists(stated)).toEqual(asLists(actual));
  });

  it('reads grouped entries and entries that import nothing', () => {
    const readme = [
      '### The server, `apps/server/src`',
      '',
      '- **`a.ts`, `b/`** — two things. _Imports:_ nothing of the server.',
      '- **`c/`** — a thing',
      '  on two lines. _Imports:_ `a.ts`,',
      '  `b`.',
      '',
      '### Everything else',
      '- **`d/`** — not the server. _Imports:_ `c`.',
    ].join('\n');
    expect(statedImports(readme)).toEqual(
      new Map([
        ['a.ts', new Set()],
        ['b', new Set()],
        ['c', new Set(['a.ts', 'b'])],
      ]),
    );
  });
});

/** Folder (without its trailing slash) → the folders its entry says it imports. */
function statedImports(readme: string): Map<string, Set<string>> {
  const section = readme.split('### The server, `apps/server/src`')[1]?.split('\n### ')[0];
  if (section === undefined) throw new Error('the README has no server code map');
  const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => (match[1] as string).replace(/\/$/, ''));
  const map = new Map<string, Set<string>>();
  for (const entry of section.split(/\n- /).slice(1)) {
    const [, heading = '', imports = ''] = /^\*\*(.+?)\*\*[\s\S]*?_Imports:_([\s\S]*)$/.exec(entry.trim()) ?? [];
    if (heading === '') throw new Error(`a code map entry has no _Imports:_ list: ${entry.slice(0, 60)}`);
    for (const name of names(heading)) map.set(name, new Set(names(imports)));
  }
  return map;
}
