import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run on the TypeScript sources of the workspace packages, not their builds.
    alias: [
      { find: /^@leasehold\/protocol$/, replacement: here('packages/protocol/src/index.ts') },
      { find: /^@leasehold\/protocol\/schemas$/, replacement: here('packages/protocol/src/schemas/index.ts') },
      { find: /^@leasehold\/protocol\/(.*)$/, replacement: here('packages/protocol/src/$1.ts') },
    ],
  },
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'deploy/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    globalSetup: [here('test-support/global-setup.ts')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
