import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { programs, runProgram } from './support/run-program.js';
import { fetchJwks, seedLicense, startServer, type TestServer, waitFor } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

const servers: TestServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a program started while the server is away runs offline, says so once, and goes online when the server is back', async () => {
  const dataDir = await tempDir('leasehold-server-');
  const configDir = await tempDir();
  dirs.push(dataDir, configDir);
  const first = await startServer({ dataDir });
  servers.push(first);
  const license = await seedLicense(first, { seats: 2, seatBasis: 'session', heartbeatIntervalSeconds: 5, offlineGraceSeconds: 3600 });
  const jwksFile = join(configDir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify(await fetchJwks(first)));
  const env = {
    LEASEHOLD_URL: first.url,
    LEASEHOLD_CONFIG_DIR: configDir,
    LEASEHOLD_FINGERPRINT: 'offline-start-machine',
    LEASEHOLD_TIMEOUT_SECONDS: '2',
    LICENSE_KEY: license.key,
    JWKS_FILE: jwksFile,
  };
  const online = await runProgram(programs.sdkEsm, [], env);
  expect(online.stdout, online.stderr).toContain('licensed: online');
  await first.stop();

  // The server is away: the program starts on its cached token.
  const child = spawn(process.execPath, [programs.sdkEsm], {
    env: { PATH: process.env.PATH, ...env, WORK_SECONDS: '25', UNTIL_RECOVERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += String(c);
  });
  child.stderr.on('data', (c) => {
    out += String(c);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(await waitFor(async () => out.includes('licensed: offline'), 8000), out).toBe(true);
  expect(out).toMatch(/^offline until \d{4}-/m);

  // Back on the same address, with the same data: no restart of the program needed.
  const again = await startServer({ dataDir, port: Number(new URL(first.url).port) });
  servers.push(again);
  expect(await waitFor(async () => out.includes('recovered (online'), 20_000), out).toBe(true);
  const sessionId = /recovered \(online, session (ses_\w+)\)/.exec(out)?.[1];
  expect((await again.sessions(license.licenseId)).map((s) => s.id)).toContain(sessionId);

  expect(await exited).toBe(0);
  expect(out).toContain('done: online');
  expect(out.match(/offline until/g)).toHaveLength(1);
  // It released the seat it took on recovery when it ended.
  expect(await again.sessions(license.licenseId)).toEqual([]);
}, 120_000);

it('started offline on the session of a run that crashed, it takes a new seat when the server answers that the old one is gone', async () => {
  const { LeaseClient } = await import('../src/index.js');
  const server = await startServer();
  servers.push(server);
  const license = await seedLicense(server, { seats: 1, seatBasis: 'session' });
  const stateDir = await tempDir();
  dirs.push(stateDir);
  const options = {
    serverUrl: server.url,
    product: license.product,
    licenseKey: license.key,
    stateDir,
    fingerprint: 'crash-machine',
    heartbeat: false,
    releaseOnExit: false,
  };
  const crashed = new LeaseClient(options);
  const first = await crashed.acquire();
  crashed.close(); // killed: the seat stays cached, and an administrator frees it meanwhile
  await server.admin('POST', `/sessions/${first.sessionId}/release`);

  let online = false;
  const fetchUntilBack: typeof fetch = (input, init) => (online ? fetch(input, init) : Promise.reject(new TypeError('fetch failed')));
  const restarted = new LeaseClient({ ...options, fetch: fetchUntilBack as never, sleep: async () => {} });
  const recovered: string[] = [];
  restarted.on('recovered', (s) => recovered.push(String(s.sessionId)));
  expect((await restarted.acquire()).mode).toBe('offline');
  online = true;
  const status = await restarted.heartbeat();
  expect(status.mode).toBe('online');
  expect(status.sessionId).not.toBe(first.sessionId);
  expect(recovered).toEqual([status.sessionId]);
  expect((await server.sessions(license.licenseId)).map((s) => s.id)).toEqual([status.sessionId]);
  await restarted.release();
}, 120_000);
