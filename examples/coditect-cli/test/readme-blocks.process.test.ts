import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startServer } from '../../../packages/client/test/support/server.js';
import { tempDir } from '../../../packages/client/test/support/temp-dir.js';
import { freePort, freshCopy, runBash, shellBlocks } from '../../../test-support/readme-blocks.js';

// The suite runs on a built tree: the install-and-build line of a block is the one thing not re-run.
const INSTALL = /^npm ci && npm run build$/m;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function userEnv(): Promise<Record<string, string>> {
  const home = await tempDir('leasehold-home-');
  dirs.push(home);
  return { HOME: home, LEASEHOLD_CONFIG_DIR: join(home, 'config'), PORT: String(await freePort()) };
}

describe('examples/coditect-cli/README.md, run as written', () => {
  it('the end-to-end block works on a fresh copy', async () => {
    const [block] = await shellBlocks(join(repoRoot, 'examples/coditect-cli/README.md'));
    expect(block).toMatch(INSTALL);
    const copy = await freshCopy(repoRoot);
    dirs.push(copy);
    const run = await runBash((block as string).replace(INSTALL, ':'), copy, await userEnv());
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^Activated coditect on this machine\.$/m);
    expect(run.stdout).toMatch(/^CODITECT licensed \(online; session ses_\w+; features: core, pro\)$/m);
    expect(run.stdout).toMatch(/^Work done in \d+ steps\.$/m);
    expect(run.stdout).toMatch(/^ok {3}token/m);
    expect(run.stderr).toMatch(/^coditect: All 3 seats of this license are in use \(by (alice|bob|carol)-laptop/m);
    expect(run.stdout).toMatch(/^exit 3$/m);
  }, 240_000);

  it('stops with a message when the data directory already has another admin key', async () => {
    const dataDir = await tempDir('leasehold-server-');
    dirs.push(dataDir);
    const earlier = await startServer({ dataDir }); // its own bootstrap key is the admin key now
    await earlier.stop();
    const [block] = await shellBlocks(join(repoRoot, 'examples/coditect-cli/README.md'));
    const copy = await freshCopy(repoRoot);
    dirs.push(copy);
    const run = await runBash((block as string).replace(INSTALL, ':'), copy, { ...(await userEnv()), LEASEHOLD_DATA_DIR: dataDir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('The server did not accept LEASEHOLD_BOOTSTRAP_ADMIN_KEY');
    expect(run.stdout).not.toContain('Activated');
    expect(run.stderr).not.toContain('undefined');
  }, 180_000);
});

describe('examples/coditect-py/README.md, run as written', () => {
  it('the end-to-end block works on a fresh copy: online, no free seat, then offline', async () => {
    const [block] = await shellBlocks(join(repoRoot, 'examples/coditect-py/README.md'));
    expect(block).toMatch(INSTALL);
    const copy = await freshCopy(repoRoot);
    dirs.push(copy);
    const run = await runBash((block as string).replace(INSTALL, ':'), copy, await userEnv());
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^Activated coditect on this machine\.$/m);
    expect(run.stdout).toMatch(/^CODITECT licensed \(online; session ses_\w+; features: core, pro\)$/m);
    expect(run.stdout).toMatch(/^exit 3$/m);
    expect(run.stdout).toMatch(/^CODITECT licensed \(offline; /m);
  }, 240_000);
});

describe('README.md, run as written', () => {
  it('quick start: npm start prints the admin key, the docs and where it listens', async () => {
    const [quickStart] = await shellBlocks(join(repoRoot, 'README.md'));
    expect(quickStart?.trim()).toBe('npm ci && npm start');
    const copy = await freshCopy(repoRoot);
    const env = { ...(await userEnv()), LEASEHOLD_DATA_DIR: join(copy, 'data') };
    dirs.push(copy);
    // npm start serves until stopped: stop it once it has said where it listens. npm runs the
    // server as a child of its own, so the whole process group is stopped, not npm alone.
    const run = await runBash(
      'setsid npm start > out.log 2>&1 & group=$!; for _ in $(seq 600); do grep -q "^Listening on" out.log && break; sleep 0.2; done; kill -- -$group; for _ in $(seq 300); do kill -0 -- -$group 2>/dev/null || break; sleep 0.1; done; wait || true; cat out.log',
      copy,
      env,
    );
    expect(run.stdout).toMatch(/^Admin API key: lh_\S+$/m);
    expect(run.stdout).toMatch(/^API docs: http:\/\/localhost:\d+\/docs$/m);
    const url = /^Listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(run.stdout)?.[1];
    expect(url).toBeDefined();
    // Stopped with npm: nothing is left serving.
    await expect(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 180_000);

  it('the curl walkthrough works against a running server', async () => {
    const blocks = await shellBlocks(join(repoRoot, 'README.md'));
    const walkthrough = blocks.find((b) => b.includes('KEY=lh_…')) as string;
    const server = await startServer();
    try {
      const copy = await freshCopy(repoRoot);
      dirs.push(copy);
      // The two placeholders: the key the server printed, and its address.
      const script = walkthrough.replace('KEY=lh_…', `KEY=${server.adminKey}`).replaceAll('http://localhost:8080', server.url);
      const run = await runBash(script, copy, await userEnv());
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/"sessionSecret":/);
      expect(run.stdout).toMatch(/"released":true/);
      expect(run.stdout).toContain('"seat.granted"');
      expect(run.stdout).toContain('"seat.released"');
    } finally {
      await server.close();
    }
  }, 180_000);
});
