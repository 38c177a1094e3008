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
    // Just renewed: as far as the CLI can tell a program is running, so it asks for --force.
    const refused = await leasehold(['release'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^A running program holds this seat \(renewed \d+ s ago, session ses_\w+\)\. Stop it, or run "leasehold release --force"/);
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    // Two heartbeat intervals later with no renewal it is a seat left behind.
    const later = await leasehold(['release', '--json'], env, { clock: { now: () => Date.now() + 41_000 } });
    expect(later.json()).toMatchObject({ released: true });
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('release --force takes the seat from a running program', async () => {
    const env = await envFor();
    await leasehold(['activate', license.key], env);
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
    program.close();
    const released = await leasehold(['release', '--force', '--json'], env);
    expect(released.json()).toMatchObject({ released: true });
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('return with nothing borrowed says so and exits 7', async () => {
    const env = await envFor();
    await leasehold(['activate', license.key], env);
    const returned = await leasehold(['return'], env);
    expect(returned.code).toBe(7);
    expect(returned.stderr).toBe('Nothing of coditect is borrowed on this machine, so there is nothing to return.\n');
    const json = await leasehold(['return', '--json'], env);
    expect(json.json()).toMatchObject({ error: { code: 'NOT_LICENSED' }, exitCode: 7 });
  });

  it('status says who is signed in, or that nobody is', async () => {
    const env = await envFor();
    await leasehold(['activate', license.key], env);
    expect((await leasehold(['status'], env)).stdout).toMatch(/^Not signed in \(leasehold login\)\.$/m);
    const { saveCredentials } = await import('../../client/src/index.js');
    const claims = Buffer.from(JSON.stringify({ sub: 'usr_01hzzzzzzzzzzzzzzzzzzzzzzz' })).toString('base64url');
    await saveCredentials(env.LEASEHOLD_CONFIG_DIR, {
      version: 1,
      serverUrl: server.url,
      clientId: 'leasehold-cli',
      accessToken: `e30.${claims}.sig`,
      refreshToken: null,
      expiresAt: Date.now() + 600_000,
    });
    const status = await leasehold(['status', '--json'], env);
    expect(status.json().signedIn).toMatchObject({ userId: 'usr_01hzzzzzzzzzzzzzzzzzzzzzzz' });
    expect((await leasehold(['status'], env)).stdout).toMatch(/^Signed in as usr_01hzzzzzzzzzzzzzzzzzzzzzzz\.$/m);
  });

  it('every command has its own --help', async () => {
    for (const command of ['login', 'logout', 'status', 'activate', 'release', 'borrow', 'return', 'doctor']) {
      const help = await leasehold([command, '--help'], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: leasehold ${command}`));
      expect((await leasehold(['help', command], {})).stdout).toBe(help.stdout);
    }
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
