import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type SeededLicense, seedLicense, startServer, type TestServer } from '../../client/test/support/server.js';
import { tempDir } from '../../client/test/support/temp-dir.js';
import { leasehold } from './support.js';

let server: TestServer;
let license: SeededLicense;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 2, maxBorrowSeconds: 7 * 86_400, offlineGraceSeconds: 3600 });
});
afterAll(async () => server?.close());

const envFor = async () => ({
  LEASEHOLD_URL: server.url,
  LEASEHOLD_PRODUCT: license.product,
  LEASEHOLD_CONFIG_DIR: await tempDir(),
  LEASEHOLD_FINGERPRINT: `cli-${Math.random()}`,
});

describe('leasehold CLI against the server', () => {
  it('activates a key, shows status, borrows, returns, releases', async () => {
    const env = await envFor();
    const before = await leasehold(['status', '--json'], env);
    expect(before.code).toBe(7);
    expect(before.json().activated).toBe(false);

    const activated = await leasehold(['activate', license.key.toLowerCase()], env);
    expect(activated.stderr).toBe('');
    expect(activated.code).toBe(0);
    expect(activated.stdout).toMatch(/Activated coditect on this machine/);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);

    const status = await leasehold(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ activated: true, valid: true, license: { id: license.licenseId } });

    const borrowed = await leasehold(['borrow', '2d', '--json'], env);
    expect(borrowed.code).toBe(0);
    const until = Date.parse(borrowed.json().borrowedUntil);
    expect(until).toBeGreaterThan(Date.now() + 2 * 86_400_000 - 60_000);
    expect(await server.sessions(license.licenseId)).toHaveLength(1);

    const statusBorrowed = await leasehold(['status'], env);
    expect(statusBorrowed.stdout).toMatch(/Borrowed until/);

    const release = await leasehold(['release'], env);
    expect(release.stdout).toMatch(/borrowed; give it back with "leasehold return"/);
    expect(await server.sessions(license.licenseId)).toHaveLength(1);

    const returned = await leasehold(['return'], env);
    expect(returned.code).toBe(0);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('releases a seat a crashed program left behind', async () => {
    const env = await envFor();
    await leasehold(['activate', license.key], env);
    // A borrow of the minimum length, returned, leaves nothing; so take a seat as a program would:
    const { LeaseClient } = await import('../../client/src/index.js');
    const program = new LeaseClient({
      serverUrl: server.url,
      product: license.product,
      stateDir: env.LEASEHOLD_CONFIG_DIR,
      env,
      releaseOnExit: false,
      heartbeat: false,
    });
    await program.acquire();
    program.close(); // "crashes" without releasing
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    const released = await leasehold(['release', '--json'], env);
    expect(released.json()).toMatchObject({ released: true });
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('doctor reports fingerprint, reachability, clock drift and token state', async () => {
    const env = await envFor();
    const ok = await leasehold(['doctor', '--json'], env);
    expect(ok.code).toBe(0);
    const names = ok.json().checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(['fingerprint', 'server', 'clock', 'token', 'state']);
    expect(ok.json().checks[0].detail).toMatch(/LEASEHOLD_FINGERPRINT/);

    // A clock 10 minutes fast is flagged, and the exit code says a check failed.
    const drift = await leasehold(['doctor'], env, { clock: { now: () => Date.now() + 600_000 } });
    expect(drift.code).toBe(8);
    expect(drift.stdout).toMatch(/FAIL clock\s+(599|600|601) s ahead of the server/);

    const down = await leasehold(['doctor', '--server', 'http://127.0.0.1:9'], env);
    expect(down.code).toBe(8);
    expect(down.stdout).toMatch(/FAIL server\s+Cannot reach the license server at http:\/\/127\.0\.0\.1:9/);
  });

  it('maps refusals to the documented exit codes', async () => {
    const env = await envFor();
    expect((await leasehold(['activate', 'ABCDE-FGHJK-MNPQR-STVWX-YZ012'], env)).code).toBe(4);
    expect((await leasehold(['borrow', 'soon'], env)).code).toBe(2);
    expect((await leasehold(['frobnicate'], env)).code).toBe(2);
    expect((await leasehold(['status'], { LEASEHOLD_CONFIG_DIR: env.LEASEHOLD_CONFIG_DIR })).code).toBe(2);
    const unreachable = await leasehold(['activate', license.key, '--server', 'http://127.0.0.1:9', '--json'], env);
    expect(unreachable.code).toBe(5);
    expect(unreachable.json().error.code).toBe('SERVER_UNREACHABLE');
  });

  it('the built binary prints help with the exit codes', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 {2}success/);
    expect(result.stdout).toMatch(/3 {2}no seat available/);
  });
});
