import { fileURLToPath } from 'node:url';
import { type DependencyTree, parseDependencyTree } from 'dpdm';

/** The repository's root, as dpdm wants paths relative to it. */
export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export const parseSources = (sources: string, tsconfig: string): Promise<DependencyTree> =>
  parseDependencyTree(sources, {
    cwd: repositoryRoot,
    tsconfig: `${repositoryRoot}${tsconfig}`,
    transform: false,
    skipDynamicImports: false,
  });

const prefix = 'apps/server/src/';

/**
 * The server's folders and, for each, the other folders it imports (type-only imports
 * included). A file directly under `src/`, such as compose.ts, counts as a folder of its own.
 */
export async function serverFolderEdges(): Promise<Map<string, Set<string>>> {
  const tree = await parseSources(`${prefix}**/*.ts`, 'apps/server/tsconfig.json');
  const folder = (file: string) => file.slice(prefix.length).split('/')[0] as string;
  const edges = new Map<string, Set<string>>();
  for (const [file, deps] of Object.entries(tree)) {
    if (!file.startsWith(prefix)) continue;
    const from = edges.get(folder(file)) ?? new Set<string>();
    edges.set(folder(file), from);
    for (const dep of deps ?? []) {
      if (dep.id?.startsWith(prefix) && folder(dep.id) !== folder(file)) from.add(folder(dep.id));
    }
  }
  return edges;
}
