import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJwks, type SeededLicense, seedLicense, startServer, type TestServer } from '../../../packages/client/test/support/server.js';
import { tempDir } from '../../../packages/client/test/support/temp-dir.js';
import { startCoditect } from './support.js';

let server: TestServer;
let license: SeededLicense;
let jwksPath: string;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 3, seatBasis: 'session' });
  jwksPath = join(await tempDir(), 'jwks.json');
  await writeFile(jwksPath, JSON.stringify(await fetchJwks(server)));
});
afterAll(async () => server?.close());

async function env(extra: Record<string, string> = {}) {
  return {
    LEASEHOLD_URL: server.url,
    CODITECT_LICENSE_KEY: license.key,
    CODITECT_JWKS: jwksPath,
    LEASEHOLD_CONFIG_DIR: await tempDir(),
    LEASEHOLD_FINGERPRINT: `host-${Math.random()}`,
    ...extra,
  };
}

describe('coditect example program', () => {
  it('validates its license on start, works, and releases the seat on exit', async () => {
    const program = startCoditect(['work', '1'], await env());
    await program.printed('CODITECT licensed (online');
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    const { code } = await program.exited;
    expect(program.stderr()).toBe('');
    expect(code).toBe(0);
    expect(program.stdout()).toMatch(/features: core, pro/);
    expect(program.stdout()).toMatch(/Work done in \d+ steps/);
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('exits on its own after acquiring: the heartbeat does not hold the event loop', async () => {
    const started = Date.now();
    const program = startCoditect(['hello'], await env());
    const { code, signal } = await program.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(program.stdout()).toContain('Hello from CODITECT.');
    // The plan's heartbeat interval is 20 s: finishing well before it proves the timer is unref'd.
    expect(Date.now() - started).toBeLessThan(10_000);
    // And it released the seat on its way out (beforeExit).
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('fails with the documented code and an actionable message when the key is wrong', async () => {
    const program = startCoditect(['hello'], await env({ CODITECT_LICENSE_KEY: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012' }));
    const { code } = await program.exited;
    expect(code).toBe(4);
    expect(program.stderr()).toMatch(/not a valid license key: the license key has a typing mistake/);
  });
});
