import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseClient } from '../src/index.js';
import { fetchJwks, type SeededLicense, seedLicense, startServer, type TestServer } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

let server: TestServer;
let license: SeededLicense;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 2, maxBorrowSeconds: 86_400 });
});
afterAll(async () => server?.close());

const clientFor = async (extra: Partial<ConstructorParameters<typeof LeaseClient>[0]> = {}) =>
  new LeaseClient({
    serverUrl: server.url,
    product: license.product,
    licenseKey: license.key,
    stateDir: await tempDir(),
    fingerprint: `machine-${Math.random()}`,
    releaseOnExit: false,
    ...extra,
  });

describe('lease lifecycle against the server', () => {
  it('acquires a verified token, renews it and releases the seat', async () => {
    const client = await clientFor({ jwks: await fetchJwks(server) });
    const renewed: string[] = [];
    client.on('renewed', (s) => renewed.push(s.mode));
    const lease = await client.acquire();
    expect(lease.mode).toBe('online');
    expect(lease.entitlements).toEqual(['core', 'pro']);
    expect(lease.licenseId).toBe(license.licenseId);
    expect(lease.seats).toMatchObject({ total: 2 });
    expect(await server.sessions(license.licenseId)).toHaveLength(1);

    const after = await client.heartbeat();
    expect(after.mode).toBe('online');
    expect(renewed).toEqual(['online', 'online']);

    await client.release();
    expect(client.status().mode).toBe('released');
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('issues tokens that a standard JOSE library accepts with the same checks', async () => {
    const client = await clientFor();
    await client.acquire();
    const cached = await client.inspectCache();
    expect(cached.tokenError).toBeNull();
    const { readFile } = await import('node:fs/promises');
    const state = JSON.parse(await readFile(cached.statePath, 'utf8'));
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(state.leaseToken, jwks, {
      typ: 'leasehold-lease+jwt',
      algorithms: ['EdDSA'],
      audience: license.product,
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.fingerprint).toBe(client.status().fingerprint);
    await client.release();
  });

  it('keeps the state file private (0600) and holds no secret in the clear elsewhere', async () => {
    const client = await clientFor();
    await client.acquire();
    const { stat } = await import('node:fs/promises');
    const cached = await client.inspectCache();
    expect((await stat(cached.statePath)).mode & 0o777).toBe(0o600);
    await client.release();
  });

  it('borrows a seat that works without the server, and returns it', async () => {
    const stateDir = await tempDir();
    const fingerprint = 'borrowing-laptop';
    const client = await clientFor({ stateDir, fingerprint });
    await client.acquire();
    const borrowed = await client.borrow(3600);
    expect(borrowed.mode).toBe('borrowed');
    expect(borrowed.borrowedUntil?.getTime()).toBeGreaterThan(Date.now() + 3500_000);

    // A later run, with the network down: the borrow carries it, no request is made.
    const offline = await clientFor({
      stateDir,
      fingerprint,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect((await offline.acquire()).mode).toBe('borrowed');
    // Release on exit leaves a borrow alone.
    await offline.release();
    expect(await server.sessions(license.licenseId)).toHaveLength(1);

    const giver = await clientFor({ stateDir, fingerprint });
    await giver.returnBorrow();
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it("leaves a program's own SIGINT handler in charge, and releases when that program ends", async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const { repoRoot } = await import('./support/server.js');
    const script = `
      import { LeaseClient } from ${JSON.stringify(join(repoRoot, 'packages/client/dist/index.js'))};
      const client = new LeaseClient({ serverUrl: process.env.URL, product: 'coditect', licenseKey: process.env.KEY, stateDir: process.env.DIR, fingerprint: 'own-handler' });
      await client.acquire();
      const keepAlive = setInterval(() => {}, 1000);
      process.on('SIGINT', () => { console.log('cancelled by the program'); clearInterval(keepAlive); });
      console.log('ready');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, URL: server.url, KEY: license.key, DIR: await tempDir() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += String(c);
      if (out.includes('ready') && !out.includes('cancelled')) child.kill('SIGINT');
    });
    const exit = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    expect(out).toContain('cancelled by the program');
    expect(exit).toEqual([0, null]);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('validates the key online without taking a seat', async () => {
    const client = await clientFor();
    const result = await client.validate();
    expect(result.valid).toBe(true);
    expect(result.license?.id).toBe(license.licenseId);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });
});
