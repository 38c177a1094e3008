import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_MAIN, type ServerProcess, startServerProcess } from '../support/server-process.js';

const ADMIN_KEY = 'lh_operator-admin-key-0123456789abcdefghij';

type Run = { code: number; stdout: string; stderr: string };

/**
 * The embedded data directory has one writer. While the server runs, an operator
 * command goes through its admin API (with the operator's key) or refuses, saying
 * what to do; nothing it acknowledged is lost across restarts, and a lock left by a
 * killed server does not block the next start.
 */
describe('embedded server and operator commands', () => {
  let dataDir: string;
  let server: ServerProcess | null = null;
  const env = () => ({ LEASEHOLD_DATA_DIR: dataDir, LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [SERVER_MAIN, ...args],
        { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env(), ...extra } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server?.url}/api/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-operator-'));
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes through the running server or refuses; every acknowledged change survives restarts', async () => {
    server = await startServerProcess(env());
    const lock = JSON.parse(readFileSync(join(dataDir, 'leasehold.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: server.child.pid, role: 'serve', url: server.url });
    const product = (await api('POST', '/products', { code: 'coditect', name: 'CODITECT' })).body;
    const plan = (await api('POST', '/plans', { productId: product.id, code: 'team', name: 'Team', seats: 5 })).body;
    const org = (await api('POST', '/organisations', { name: 'Acme' })).body;
    const acknowledged: { id: string; status: string }[] = [];

    // Without the operator's key: refused, saying why and what to do, and nothing changes.
    const refused = await cli(['licenses', 'create', '--org', org.id, '--plan', plan.id]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`A Leasehold server (pid ${server.child.pid}) is running`);
    expect(refused.stderr).toContain('LEASEHOLD_ADMIN_KEY');
    expect(refused.stderr).toContain('stop the server');
    expect((await api('GET', '/licenses')).body.data).toEqual([]);

    // With it: through the server's admin API; the server sees it at once.
    const created = await cli(['licenses', 'create', '--org', org.id, '--plan', plan.id, '--seats', '3'], { LEASEHOLD_ADMIN_KEY: ADMIN_KEY });
    expect(created.code, created.stderr).toBe(0);
    const id = /License (lic_\w+) issued/.exec(created.stdout)?.[1] as string;
    expect((await api('GET', `/licenses/${id}`)).body).toMatchObject({ id, seats: 3, status: 'active' });
    const suspended = await cli(['licenses', 'suspend', id, '--reason', 'audit'], { LEASEHOLD_ADMIN_KEY: ADMIN_KEY });
    expect(suspended.stdout).toContain(`License ${id} is now suspended.`);
    acknowledged.push({ id, status: 'suspended' });
    const listed = await cli(['licenses', 'list'], { LEASEHOLD_ADMIN_KEY: ADMIN_KEY });
    expect(listed.stdout).toContain(id);
    expect((await cli(['audit', 'verify'], { LEASEHOLD_ADMIN_KEY: ADMIN_KEY })).stdout).toContain('Audit chain intact');
    const refusedByServer = await cli(['licenses', 'suspend', id], { LEASEHOLD_ADMIN_KEY: ADMIN_KEY });
    expect(refusedByServer.code).toBe(1);
    expect(refusedByServer.stderr).toContain('INVALID_STATE');
    const audit = (await api('GET', `/audit?targetId=${id}`)).body.data.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['license.created', 'license.suspended']));

    // A second server on the same directory refuses to start.
    await expect(startServerProcess({ ...env(), PORT: '0' })).rejects.toThrow(/in use by another Leasehold process/);

    // Stopped: the lock is gone and commands open the directory themselves.
    expect(await server.stop()).toBe(0);
    server = null;
    expect(existsSync(join(dataDir, 'leasehold.lock'))).toBe(false);
    const local = await cli(['licenses', 'create', '--org', org.id, '--plan', plan.id]);
    expect(local.code, local.stderr).toBe(0);
    acknowledged.push({ id: /License (lic_\w+) issued/.exec(local.stdout)?.[1] as string, status: 'active' });

    // A server killed outright leaves a stale lock (its pid no longer runs), which the next start takes over.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'leasehold.lock'), JSON.stringify({ pid: gone, hostname: hostname(), role: 'serve', startedAt: new Date().toISOString() }));
    server = await startServerProcess(env());
    expect(JSON.parse(readFileSync(join(dataDir, 'leasehold.lock'), 'utf8')).pid).toBe(server.child.pid);
    for (const license of acknowledged) expect((await api('GET', `/licenses/${license.id}`)).body.status).toBe(license.status);
  }, 180_000);
});
