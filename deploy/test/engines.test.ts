import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
const dockerNode = /^FROM node:(\d+\.\d+\.\d+)-/m.exec(read('deploy/docker/Dockerfile'))?.[1] as string;
const claimed = JSON.parse(read('package.json')).engines.node as string;

/** The runtimes we say we run on: the oldest Node.js our engines claim (20, tested here) and the image's. */
const RUNTIMES = [semver.minVersion(claimed)?.version as string, dockerNode];

describe('Node.js runtimes', () => {
  it('the image runs a maintained LTS (22 or 24), pinned by digest, and CI tests it beside Node.js 20', () => {
    expect(semver.major(dockerNode)).toBeGreaterThanOrEqual(22);
    expect(read('deploy/docker/Dockerfile')).toMatch(
      new RegExp(`^FROM node:${dockerNode.replaceAll('.', '\\.')}-bookworm-slim@sha256:[0-9a-f]{64} AS runtime$`, 'm'),
    );
    const matrix = parse(read('.github/workflows/ci.yml')).jobs.test.strategy.matrix.node as (string | number)[];
    expect(matrix.map(String)).toEqual(['20', dockerNode]);
    expect(semver.major(RUNTIMES[0] as string)).toBe(20);
  });

  it('every installed package declares engines that include every runtime we claim', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!path || !range) continue;
      for (const runtime of RUNTIMES) {
        if (!semver.satisfies(runtime, range)) refusing.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}, not ${runtime}`);
      }
    }
    expect(refusing).toEqual([]);
  });
});
