import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runProgram } from './support/run-program.js';
import { repoRoot, type SeededLicense, seedLicense, startServer, type TestServer } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

const PACKAGES = ['protocol', 'client', 'cli'];
let server: TestServer;
let license: SeededLicense;
let project: string;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 2, seatBasis: 'session' });
  // A vendor's project, outside the repository, installing the packed tarballs as they would be published.
  const packed = await tempDir('leasehold-packed-');
  project = await tempDir('leasehold-vendor-');
  dirs.push(packed, project);
  const npm = (args: string[], cwd: string) =>
    execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  const out = JSON.parse(npm(['pack', '--json', '--pack-destination', packed, ...PACKAGES.map((p) => `./packages/${p}`)], repoRoot)) as { filename: string }[];
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'vendor-program', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...out.map((o) => join(packed, o.filename))], project);
}, 120_000);
afterAll(async () => {
  await server?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('each package ships a LICENSE, a README, typed exports, honest engines and maps that carry their sources', () => {
  for (const name of PACKAGES) {
    const root = join(project, 'node_modules/@leasehold', name);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.engines.node).toBe('>=20');
    for (const entry of Object.values(manifest.exports) as { types: string; default: string }[]) {
      expect(existsSync(join(root, entry.types)), entry.types).toBe(true);
      expect(existsSync(join(root, entry.default)), entry.default).toBe(true);
    }
    const maps = readdirSync(join(root, 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) expect(JSON.parse(readFileSync(join(root, 'dist', String(map)), 'utf8')).sourcesContent, String(map)).toBeDefined();
  }
});

it('the client installs nothing it does not load: no zod', () => {
  expect(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['@leasehold']);
});

it('a program on the installed packages acquires and releases against a real server; the CLI runs', async () => {
  const program = join(project, 'program.mjs');
  await mkdir(join(project, 'state'));
  await writeFile(
    program,
    `import { LeaseClient } from '@leasehold/client';
const client = new LeaseClient({ serverUrl: process.env.URL, product: 'coditect', licenseKey: process.env.KEY, stateDir: process.env.STATE, fingerprint: 'packed-machine' });
const lease = await client.acquire();
console.log('acquired', lease.mode, lease.sessionId, lease.entitlements.join(','));
await client.release();
console.log('released');
`,
  );
  const run = await runProgram(program, [], { URL: server.url, KEY: license.key, STATE: join(project, 'state') });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^acquired online ses_\w+ core,pro$/m);
  expect(run.stdout).toContain('released');
  expect(await server.sessions(license.licenseId)).toEqual([]);

  const cli = await runProgram(join(project, 'node_modules/.bin/leasehold'), ['activate', license.key, '--server', server.url, '--product', 'coditect'], {
    LEASEHOLD_CONFIG_DIR: join(project, 'state'),
  });
  expect(cli.code, cli.stderr).toBe(0);
  expect(cli.stdout).toMatch(/^Activated coditect on this machine\.$/m);
});
