import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/databases.js';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-operator-'));
// PostgreSQL, not the embedded database: each command is a process, and PGlite takes seconds to open.
let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
beforeAll(async () => {
  database = await createPostgresDatabase();
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

function server(...args: string[]) {
  const result = spawnSync(process.execPath, [main, ...args], {
    env: { PATH: process.env.PATH, LEASEHOLD_DATA_DIR: dataDir, DATABASE_URL: database.url },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

describe('leasehold-server operator commands', () => {
  it('set up a product, plan, organisation, license and API key, with --json answers', () => {
    const product = server('products', 'create', '--code', 'coditect', '--name', 'CODITECT', '--json');
    expect(product.code, product.stderr).toBe(0);
    const plan = server(
      'plans',
      'create',
      '--product',
      product.json().id,
      '--code',
      'team',
      '--name',
      'Team',
      '--seats',
      '3',
      '--entitlements',
      'core,pro',
      '--json',
    );
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json()).toMatchObject({ seats: 3, entitlements: ['core', 'pro'], seatBasis: 'machine' });
    const org = server('organisations', 'create', '--name', 'Acme', '--json');
    expect(org.code, org.stderr).toBe(0);
    const license = server('licenses', 'create', '--org', org.json().id, '--plan', plan.json().id);
    expect(license.stdout).toMatch(/^License lic_\w+ issued\. Key \(shown once\): [0-9A-Z-]{29}$/m);
    const key = server('api-keys', 'create', '--name', 'ci', '--scopes', 'licenses:read,licenses:write', '--json');
    expect(key.code, key.stderr).toBe(0);
    expect(key.json()).toMatchObject({ name: 'ci', scopes: ['licenses:read', 'licenses:write'] });
    expect(key.json().secret).toMatch(/^lh_/);

    expect(
      server('products', 'list', '--json')
        .json()
        .map((p: { code: string }) => p.code),
    ).toEqual(['coditect']);
    expect(server('plans', 'list').stdout).toMatch(/ team {2}Team {2}3 seat\(s\)/);
    expect(server('organisations', 'list').stdout).toContain('Acme');
    expect(server('licenses', 'list', '--json').json()).toHaveLength(1);
    const keys = server('api-keys', 'list');
    expect(keys.stdout).toContain('licenses:read,licenses:write');
    expect(keys.stdout).not.toContain(key.json().secret);
    expect(server('api-keys', 'revoke', key.json().id).stdout).toMatch(/revoked/);
  }, 120_000);

  it('name each mistake by its option, readably, and change nothing', () => {
    const bad = server('plans', 'create', '--product', 'nope', '--code', 'Bad Code', '--name', 'X', '--seats', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^leasehold-server plans create: --product: /);
    expect(bad.stderr).toMatch(/^ {2}--code: must be lower-case letters, digits and dashes$/m);
    expect(bad.stderr).toMatch(/^ {2}--seats: Too small/m);
    expect(bad.stderr).not.toMatch(/ZodError|"path"|\[\s*\{/);
    expect(server('plans', 'create', '--seats', 'many').stderr).toMatch(/--seats: "many" is not a whole number/);
    expect(server('licenses', 'create', '--sets', '2').stderr).toMatch(/Unknown option '--sets'\./);
    const json = server('api-keys', 'create', '--name', 'x', '--scopes', 'everything', '--json');
    expect(json.code).toBe(2);
    expect(json.json().error.problems[0]).toMatch(/^--scopes: /);
    expect(server('products', 'create', '--code', 'coditect', '--name', 'Again').stderr).toBe('A product with code "coditect" already exists.\n');
    expect(server('plans', 'list', '--json').json()).toHaveLength(1);
  }, 90_000);

  it('have their own --help', () => {
    for (const command of [
      ['keys', 'rotate'],
      ['plans', 'create'],
      ['api-keys', 'create'],
      ['licenses', 'revoke'],
    ]) {
      const help = server(...command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: leasehold-server ${command.join(' ')}`));
    }
    expect(server('--help').stdout).toMatch(/organisations create --name NAME/);
  }, 60_000);
});
