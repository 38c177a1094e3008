import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLike, type JsonWebKeySet, LeaseClient, type LeaseClientOptions, TokenVerificationError } from '../src/index.js';
import { fetchJwks, repoRoot, type SeededLicense, seedLicense, startServer, type TestServer, waitFor } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

let server: TestServer;
let license: SeededLicense;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 20, seatBasis: 'session', offlineGraceSeconds: 3600 });
});
afterAll(async () => server?.close());

/** `leasehold-server keys …` on the server's data directory, then SIGHUP so it reloads at once. */
async function keys(...args: string[]): Promise<string> {
  const result = spawnSync(process.execPath, [join(repoRoot, 'apps/server/dist/main.js'), 'keys', ...args], {
    env: { PATH: process.env.PATH, LEASEHOLD_DATA_DIR: server.dataDir },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const before = JSON.stringify(await fetchJwks(server));
  server.process.kill('SIGHUP');
  if (args[0] !== 'list') await waitFor(async () => JSON.stringify(await fetchJwks(server)) !== before, 5000);
  return result.stdout;
}

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;

function client(stateDir: string, jwks: JsonWebKeySet, extra: Partial<LeaseClientOptions> = {}) {
  return new LeaseClient({
    serverUrl: server.url,
    product: license.product,
    licenseKey: license.key,
    stateDir,
    fingerprint: 'rotation-test-machine',
    jwks,
    heartbeat: false,
    releaseOnExit: false,
    sleep: async () => {},
    ...extra,
  });
}

async function cachedToken(c: LeaseClient): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile((await c.inspectCache()).statePath, 'utf8')).leaseToken;
}

describe('key rotation', () => {
  it('a program built with the keys of the day follows two rotations and still verifies its token offline', async () => {
    const first = (await fetchJwks(server)).keys.map((k) => k.kid);
    expect(await keys('add')).toMatch(/^Published \S+ as the next key/);
    const pinned = (await fetchJwks(server)) as JsonWebKeySet; // what the vendor ships: current + next
    expect(pinned.keys).toHaveLength(2);
    const stateDir = await tempDir();

    const a = client(stateDir, pinned);
    await a.acquire();
    expect(first).toContain(kidOf(await cachedToken(a))); // the next key signs nothing yet
    await a.release();

    // Rotation 1: the next key (pinned) signs, a new next key is published ahead.
    expect(await keys('rotate', '--publish-ahead')).toMatch(/Published ahead as the next key/);
    const b = client(stateDir, pinned);
    await b.acquire();
    expect(pinned.keys.map((k) => k.kid)).toContain(kidOf(await cachedToken(b)));
    await b.release();

    // Rotation 2: a key the program never shipped with signs; it learns it from the signed key set.
    await keys('rotate', '--publish-ahead');
    const c = client(stateDir, pinned);
    await c.acquire();
    const token = await cachedToken(c);
    expect(pinned.keys.map((k) => k.kid)).not.toContain(kidOf(token));
    await c.release();
    expect(await keys('list')).toMatch(/next[\s\S]*current|current[\s\S]*next/);

    // Offline, a new start verifies that token through the chain from its pinned keys.
    await server.stop();
    try {
      const offline = client(stateDir, pinned);
      const status = await offline.acquire();
      expect(status.mode).toBe('offline');
      expect(status.licenseId).toBe(license.licenseId);
    } finally {
      await restart();
    }
  }, 180_000);

  it('refuses a key set signed by a key it does not trust, and the token it vouches for', async () => {
    const pinned = (await fetchJwks(server)) as JsonWebKeySet;
    const attacker = generateKeyPairSync('ed25519');
    const attackerJwk = { ...(attacker.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'attacker', alg: 'EdDSA', use: 'sig' };
    const b64 = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    const jws = (typ: string, payload: object) => {
      const input = `${b64({ alg: 'EdDSA', typ, kid: 'attacker' })}.${b64(payload)}`;
      return { input, signature: sign(null, Buffer.from(input), attacker.privateKey).toString('base64url') };
    };
    const now = Math.floor(Date.now() / 1000);
    const forgedToken = jws('leasehold-lease+jwt', {
      iss: server.url,
      sub: 'ses_forged',
      aud: license.product,
      iat: now,
      exp: now + 86_400,
      jti: 'x',
      license_id: license.licenseId,
      organisation_id: license.organisationId,
      product: license.product,
      session_id: 'ses_forged',
      entitlements: ['pro'],
      fingerprint: 'rotation-test-machine',
      lease_expires_at: now + 600,
      offline_grace_until: now + 86_400,
    });
    const keySetPayload = b64({ iss: server.url, iat: now, keys: [...pinned.keys, attackerJwk] });
    const keySetHeader = b64({ alg: 'EdDSA', typ: 'leasehold-keyset+jws', kid: 'attacker' });
    const forgedKeySet = {
      payload: keySetPayload,
      signatures: [
        { protected: keySetHeader, signature: sign(null, Buffer.from(`${keySetHeader}.${keySetPayload}`), attacker.privateKey).toString('base64url') },
      ],
    };
    // A network attacker answers for the server.
    const mitm: FetchLike = async (url) => {
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (url.endsWith('/acquire')) {
        return json({
          sessionId: 'ses_forged',
          sessionSecret: 's',
          leaseToken: `${forgedToken.input}.${forgedToken.signature}`,
          licenseId: license.licenseId,
          expiresAt: new Date().toISOString(),
          offlineGraceUntil: new Date().toISOString(),
          heartbeatIntervalSeconds: 60,
          leaseTtlSeconds: 360,
          seats: { used: 1, total: 20, overage: 0 },
          entitlements: ['pro'],
          reused: false,
        });
      }
      if (url.endsWith('/leasehold-keyset.jws')) return json(forgedKeySet);
      if (url.endsWith('/jwks.json')) return json({ keys: [attackerJwk] });
      return json({});
    };
    const stateDir = await tempDir();
    const error = await client(stateDir, pinned, { fetch: mitm })
      .acquire()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect((error as TokenVerificationError).reason).toBe('unknown-key');
    expect((error as Error).message).toMatch(/not signed by a key this program trusts/);

    // The real key set with a key slipped into its payload fails its signatures too.
    const real = (await (await fetch(`${server.url}/.well-known/leasehold-keyset.jws`)).json()) as typeof forgedKeySet;
    const { verifyKeySet, KeyRing } = await import('../src/index.js');
    expect(verifyKeySet(JSON.stringify(real), new KeyRing(pinned)).keys.length).toBeGreaterThan(0);
    const tampered = { ...real, payload: keySetPayload };
    expect(() => verifyKeySet(JSON.stringify(tampered), new KeyRing(pinned))).toThrow(TokenVerificationError);
  }, 60_000);
});

async function restart(): Promise<void> {
  const port = Number(new URL(server.url).port);
  const dataDir = server.dataDir;
  const again = await startServer({ dataDir, port });
  const close = again.close;
  server = {
    ...again,
    close: async () => {
      await close();
      const { rm } = await import('node:fs/promises');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
