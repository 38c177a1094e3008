import { parseCircular } from 'dpdm';
import { describe, expect, it } from 'vitest';
import { parseSources, serverFolderEdges } from './server-folders.js';

/**
 * Imports point one way. Type-only imports count: a type cycle is still a cycle a reader
 * has to untangle. Two checks: no cycle between files, in the server and in every package;
 * and no cycle between the server's folders (a top-level file such as compose.ts counts as
 * a folder of its own), so the code map reads as layers.
 */
describe('import cycles', () => {
  it.each([
    ['apps/server/src/**/*.ts', 'apps/server/tsconfig.json'],
    ['packages/protocol/src/**/*.ts', 'packages/protocol/tsconfig.json'],
    ['packages/client/src/**/*.ts', 'packages/client/tsconfig.json'],
    ['packages/cli/src/**/*.ts', 'packages/cli/tsconfig.json'],
    ['examples/coditect-cli/src/**/*.ts', 'examples/coditect-cli/tsconfig.json'],
  ])('no file imports itself back: %s', async (sources, tsconfig) => {
    const tree = await parseSources(sources, tsconfig);
    expect(Object.keys(tree).length, 'the sources were found').toBeGreaterThan(3);
    expect(parseCircular(tree).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('no server folder imports itself back', async () => {
    const edges = await serverFolderEdges();
    expect(edges.size, 'folders were found').toBeGreaterThan(5);
    const arrows = stronglyConnected(edges).flatMap((group) =>
      group.flatMap((from) => [...(edges.get(from) ?? [])].filter((to) => group.includes(to)).map((to) => `${from} -> ${to}`)),
    );
    expect(arrows.sort()).toEqual([]);
  });

  it('finds a planted cycle', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(stronglyConnected(edges)).toEqual([['a', 'b', 'c']]);
  });
});

/** The groups of two or more nodes that reach each other (Tarjan), each sorted, sorted. */
function stronglyConnected(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      group.push(top);
      if (top === node) break;
    }
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => a.join().localeCompare(b.join()));
}
