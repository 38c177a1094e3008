import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_MAIN, startServerProcess } from '../support/server-process.js';

const run = promisify(execFile);

/** The embedded default as an operator meets it: first start, restart, key rotation. */
describe('embedded server, first start and key rotation', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-first-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the admin key once, on the first start only, and keeps data across restarts', async () => {
    const first = await startServerProcess({ LEASEHOLD_DATA_DIR: dataDir });
    let key: string | undefined;
    try {
      key = /^Admin API key: (lh_\S+)$/m.exec(first.output())?.[1];
      expect(key).toBeDefined();
      expect(first.output()).toMatch(/^API docs: http:\/\/localhost:\d+\/docs$/m);
      expect(first.output()).toMatch(/^Dashboard: http:\/\/localhost:\d+\/dashboard$/m);
      const dashboard = await fetch(`${first.url}/dashboard/licenses`);
      expect(dashboard.status).toBe(200);
      expect(dashboard.headers.get('content-type')).toContain('text/html');
      expect(await dashboard.text()).toMatch(/<script type="module"[^>]* src="\/dashboard\/assets\/index-[\w-]+\.js"/);
      expect(statSync(join(dataDir, 'signing-keys.json')).mode & 0o777).toBe(0o600);
      const created = await fetch(`${first.url}/api/v1/admin/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'coditect', name: 'CODITECT' }),
      });
      expect(created.status).toBe(201);
    } finally {
      // A failed expectation must not leave the server running.
      await first.stop();
    }

    const second = await startServerProcess({ LEASEHOLD_DATA_DIR: dataDir });
    try {
      expect(second.output()).not.toContain('Admin API key');
      const products = await fetch(`${second.url}/api/v1/admin/products`, { headers: { authorization: `Bearer ${key}` } });
      expect((await products.json()).data.map((p: { code: string }) => p.code)).toEqual(['coditect']);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('rotates the signing key with an overlap; a running server picks it up on SIGHUP', async () => {
    const server = await startServerProcess({ LEASEHOLD_DATA_DIR: dataDir });
    try {
      const kids = async () => ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      const before = await kids();
      expect(before).toHaveLength(1);
      const { stdout } = await run(process.execPath, [SERVER_MAIN, 'keys', 'rotate', '--overlap', '1h'], {
        env: { PATH: process.env.PATH, LEASEHOLD_DATA_DIR: dataDir },
      });
      expect(stdout).toMatch(/Signing with \S+\. Still published until the overlap ends: /);
      server.child.kill('SIGHUP');
      await expect.poll(kids, { timeout: 5_000 }).toHaveLength(2);
      expect((await kids())[0]).toBe(before[0]);
      const bad = await run(process.execPath, [SERVER_MAIN, 'keys', 'rotate', '--overlap', 'soon'], {
        env: { PATH: process.env.PATH, LEASEHOLD_DATA_DIR: dataDir },
      }).catch((e) => e);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--overlap');
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('refuses to start on bad configuration, naming each variable', async () => {
    const failed = await run(process.execPath, [SERVER_MAIN, 'serve'], { env: { PATH: process.env.PATH, PORT: 'x', DATABASE_URL: 'mysql://nope' } }).catch(
      (e) => e,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('PORT');
    expect(failed.stderr).toContain('DATABASE_URL');
  });
});
