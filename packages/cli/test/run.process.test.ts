import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CiIssuer, startCiIssuer } from '../../../test-support/ci-issuer.js';
import { programs, runProgram } from '../../client/test/support/run-program.js';
import { type SeededLicense, seedLicense, startServer, type TestServer, waitFor } from '../../client/test/support/server.js';
import { tempDir } from '../../client/test/support/temp-dir.js';
import { leasehold } from './support.js';

const AUDIENCE = 'leasehold-run-test';

let server: TestServer;
let issuer: CiIssuer;
let license: SeededLicense;

beforeAll(async () => {
  issuer = await startCiIssuer();
  server = await startServer({ env: { LEASEHOLD_CI_ISSUERS: issuer.issuer, LEASEHOLD_CI_AUDIENCE: AUDIENCE } });
  license = await seedLicense(server, { seats: 1, seatBasis: 'machine' }, 'runner');
}, 120_000);
afterAll(async () => {
  await server?.close();
  await issuer?.close();
});

const envFor = async (extra: Record<string, string> = {}) => ({
  LEASEHOLD_URL: server.url,
  LEASEHOLD_PRODUCT: license.product,
  LEASEHOLD_CONFIG_DIR: await tempDir(),
  LEASEHOLD_FINGERPRINT: `run-${Math.random()}`,
  ...extra,
});

describe('leasehold run -- <command>', () => {
  it('exits with the command’s code and gives the seat back', async () => {
    const env = await envFor({ LEASEHOLD_LICENSE_KEY: license.key });
    const run = await runProgram(programs.cli, ['run', '--', 'sh', '-c', 'echo "working on $LEASEHOLD_PRODUCT"; exit 7'], env);
    expect(run.stdout).toBe('working on runner\n');
    expect(run.stderr).toMatch(/seat taken \(session ses_/);
    expect(run.code).toBe(7);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  }, 60_000);

  it('passes SIGTERM on to the command, exits 128 + 15 and gives the seat back', async () => {
    const env = await envFor({ LEASEHOLD_LICENSE_KEY: license.key });
    const child = spawn(process.execPath, [programs.cli, 'run', '--', 'sh', '-c', 'echo ready; exec sleep 30'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    expect(await waitFor(async () => stdout.includes('ready'), 30_000)).toBe(true);
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  }, 60_000);

  const holdSeat = async (l: { key: string; product: string }) =>
    fetch(`${server.url}/api/v1/licenses/acquire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `License ${l.key}` },
      body: JSON.stringify({ product: l.product, fingerprint: 'someone-elses-machine' }),
    }).then((r) => r.json() as Promise<{ sessionId: string; sessionSecret: string }>);
  const giveBack = async (holder: { sessionId: string; sessionSecret: string }) =>
    fetch(`${server.url}/api/v1/licenses/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'leasehold-session-secret': holder.sessionSecret },
      body: JSON.stringify({ sessionId: holder.sessionId }),
    });

  it('waits for a seat with --wait in the seat queue, and takes it once the holder gives it back', async () => {
    const holder = await holdSeat(license);
    const env = await envFor({ LEASEHOLD_LICENSE_KEY: license.key });
    const refused = await runProgram(programs.cli, ['run', '--', 'true'], env);
    expect(refused.code).toBe(3);
    const waiting = runProgram(programs.cli, ['run', '--wait', '60', '--', 'sh', '-c', 'exit 0'], env);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await giveBack(holder);
    const run = await waiting;
    expect(run.stderr).toMatch(/seat taken/);
    expect(run.code).toBe(0);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
    // It waited in the server's queue and left it with the seat.
    const left = await server.admin<{ data: { data: { outcome: string } }[] }>('GET', '/audit?action=seat.queue-left');
    expect(left.data.at(0)?.data.outcome).toBe('granted');
  }, 60_000);

  it('with --wait, a server that never answers still ends the run within the timeout plus the wait', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const env = await envFor({ LEASEHOLD_URL: `http://127.0.0.1:${port}`, LEASEHOLD_LICENSE_KEY: license.key, LEASEHOLD_TIMEOUT_SECONDS: '1' });
      const started = Date.now();
      const run = await runProgram(programs.cli, ['run', '--wait', '3', '--', 'true'], env);
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/Cannot reach the license server/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      silent.close();
    }
  }, 30_000);

  it('waits by asking again when the plan turns the seat queue off', async () => {
    const noQueue = await seedLicense(server, { seats: 1, maxQueueWaitSeconds: 0 }, 'no-queue-tool');
    const holder = await holdSeat(noQueue);
    const env = await envFor({ LEASEHOLD_LICENSE_KEY: noQueue.key, LEASEHOLD_PRODUCT: noQueue.product });
    const waiting = runProgram(programs.cli, ['run', '--wait', '60', '--', 'sh', '-c', 'exit 0'], env);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await giveBack(holder);
    const run = await waiting;
    expect(run.stderr).toMatch(/every seat is taken \(1 of 1 in use\); waiting up to \d+ s more/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('takes the seat as a GitHub Actions job with its OIDC token, and releases it when the step ends', async () => {
    const ci = await seedLicense(server, { seats: 2, seatBasis: 'machine' }, 'ci-tool');
    await server.admin('POST', '/ci-mappings', { licenseId: ci.licenseId, issuer: issuer.issuer, repository: 'acme/*', maxConcurrent: 2 });
    issuer.job.claims = { repository: 'acme/build-tools', run_id: '555', run_attempt: '1' };
    const env = await envFor({
      LEASEHOLD_PRODUCT: ci.product,
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.requestToken,
      LEASEHOLD_CI_AUDIENCE: AUDIENCE,
      GITHUB_JOB: 'build',
    });
    const run = await runProgram(programs.cli, ['run', '--', 'sh', '-c', 'exit 0'], env);
    expect(run.stderr).toMatch(/seat taken as a CI job of acme\/build-tools/);
    expect(run.code).toBe(0);
    expect(issuer.requests).toContain(AUDIENCE);
    expect(await server.sessions(ci.licenseId)).toHaveLength(0);
    const audit = await server.admin<{ data: { action: string; data: { claims: Record<string, string> } }[] }>('GET', '/audit?action=ci.seat-granted');
    expect(audit.data.at(0)?.data.claims).toMatchObject({ repository: 'acme/build-tools', run_id: '555' });

    // Without permissions: id-token: write the runner gives no token; the error says what to do.
    const denied = await runProgram(programs.cli, ['run', '--', 'true'], { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' });
    expect(denied.code).toBe(7);
    expect(denied.stderr).toMatch(/permissions: id-token: write/);
  }, 60_000);

  it('refuses a run without a command, and --wait on another command', async () => {
    const env = await envFor();
    const bare = await leasehold(['run'], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/run needs the command after "--"/);
    expect((await leasehold(['status', '--wait', '5'], env)).code).toBe(2);
    expect((await leasehold(['run', '--help'], env)).stdout).toMatch(/Usage: leasehold run \[--wait DURATION\]/);
  });
});
