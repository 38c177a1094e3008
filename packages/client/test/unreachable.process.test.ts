import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadServer, havePython, neverAcceptingListener, silentServer, unavailableServer } from './support/bad-servers.js';
import { type ProgramRun, programs, runProgram } from './support/run-program.js';
import { fetchJwks, type SeededLicense, seedLicense, startServer, type TestServer } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

// Every call must settle within LEASEHOLD_TIMEOUT_SECONDS; the bound adds Node's start-up on a busy machine.
const TIMEOUT_SECONDS = 2;
const BOUND_MS = TIMEOUT_SECONDS * 1000 + 6000;

let server: TestServer;
let license: SeededLicense;
let cachedDir: string;
let jwksFile: string;
let url: string;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 20, seatBasis: 'session', offlineGraceSeconds: 3600 });
  cachedDir = await tempDir();
  jwksFile = join(cachedDir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify(await fetchJwks(server)));
  url = server.url;
  // One clean run online leaves a cached token for the runs below.
  const online = await runProgram(programs.sdkEsm, [], env(cachedDir));
  expect(online.stdout, online.stderr).toContain('licensed: online');
  await server.stop();
});
afterAll(async () => server?.close());

function env(configDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LEASEHOLD_URL: url,
    LEASEHOLD_PRODUCT: 'coditect',
    LEASEHOLD_CONFIG_DIR: configDir,
    LEASEHOLD_FINGERPRINT: 'network-failure-test-machine',
    LEASEHOLD_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    LICENSE_KEY: license.key,
    CODITECT_LICENSE_KEY: license.key,
    JWKS_FILE: jwksFile,
    CODITECT_JWKS: jwksFile,
    ...extra,
  };
}

/** Runs every binary with and without a cached token; checks each settles in time with its documented outcome. */
async function everyProgramSettles(): Promise<void> {
  const fresh = await tempDir();
  const runs = await Promise.all([
    runProgram(programs.sdkEsm, [], env(fresh)),
    runProgram(programs.sdkCjs, [], env(fresh)),
    runProgram(programs.sdkEsm, [], env(cachedDir)),
    runProgram(programs.cli, ['activate', license.key], env(fresh)),
    runProgram(programs.cli, ['activate', license.key, '--json'], env(fresh)),
    runProgram(programs.cli, ['status'], env(cachedDir)),
    runProgram(programs.coditect, ['hello'], env(fresh)),
    runProgram(programs.coditect, ['hello'], env(cachedDir)),
  ]);
  const [esm, cjs, esmCached, activate, activateJson, statusCached, coditect, coditectCached] = runs as ProgramRun[];
  for (const run of runs) expect(run.ms, `${run.stdout}\n${run.stderr}`).toBeLessThan(BOUND_MS);

  for (const run of [esm, cjs] as ProgramRun[]) {
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toMatch(/^SERVER_UNREACHABLE: .*license server at http:\/\/127\.0\.0\.1:\d+/m);
  }
  expect(esmCached?.code, esmCached?.stderr).toBe(0);
  expect(esmCached?.stdout).toMatch(/^offline until \d{4}-/m);
  expect(esmCached?.stdout).toContain('licensed: offline');

  expect(activate?.code).toBe(5);
  expect(activate?.stderr.trim().split('\n')).toHaveLength(1);
  expect(activate?.stderr).toContain('license server at');
  expect(activateJson?.code).toBe(5);
  const printed = JSON.parse(activateJson?.stdout ?? '');
  expect(printed).toMatchObject({ error: { code: 'SERVER_UNREACHABLE', message: expect.stringContaining('license server') }, exitCode: 5 });
  expect(statusCached?.code, statusCached?.stderr).toBe(0);
  expect(statusCached?.stdout).toMatch(/Works offline for .* more/);

  expect(coditect?.code).toBe(5);
  expect(coditect?.stderr).toMatch(/^coditect: .*license server at/m);
  expect(coditectCached?.code, coditectCached?.stderr).toBe(0);
  expect(coditectCached?.stdout).toContain('server unreachable, working offline until');
  expect(coditectCached?.stdout).toContain('CODITECT licensed (offline;');
}

describe('programs when the license server fails', () => {
  it('server stopped (its port closed)', async () => {
    await everyProgramSettles();
  });

  it.each([
    ['accepts connections and never answers', silentServer],
    ['answers 503 for ever', unavailableServer],
  ] as const)('server %s', async (_name, start) => {
    const bad: BadServer = await start(Number(new URL(url).port));
    try {
      await everyProgramSettles();
    } finally {
      await bad.close();
    }
  });

  it.skipIf(!havePython)(
    `host that never completes a connection (a listener that never accepts)${havePython ? '' : ' (skipped: python3 not found)'}`,
    async () => {
      const bad = await neverAcceptingListener(Number(new URL(url).port));
      try {
        await everyProgramSettles();
      } finally {
        await bad.close();
      }
    },
  );
});
