import { readFile, writeFile } from 'node:fs/promises';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClockRollbackError,
  type FetchLike,
  LeaseClient,
  type LeaseClientOptions,
  OfflineGraceExpiredError,
  ServerUnreachableError,
  TokenVerificationError,
} from '../src/index.js';
import { fetchJwks, type SeededLicense, seedLicense, startServer, type TestServer } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

const GRACE_SECONDS = 600;
let server: TestServer;
let license: SeededLicense;
let jwks: Awaited<ReturnType<typeof fetchJwks>>;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, {
    seats: 50,
    seatBasis: 'session',
    offlineGraceSeconds: GRACE_SECONDS,
    leaseTtlSeconds: 30,
    heartbeatIntervalSeconds: 5, // the server's minimum
  });
  jwks = await fetchJwks(server);
});
afterAll(async () => server?.close());

const networkDown: FetchLike = async () => {
  throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
};

/** A client whose clock runs `offset.ms` ahead of the real one (the server's tokens use real time). */
function makeClient(stateDir: string, offset: { ms: number }, extra: Partial<LeaseClientOptions> = {}) {
  return new LeaseClient({
    serverUrl: server.url,
    product: license.product,
    licenseKey: license.key,
    stateDir,
    fingerprint: 'offline-test-machine',
    jwks,
    clock: { now: () => Date.now() + offset.ms },
    sleep: async () => {},
    releaseOnExit: false,
    heartbeat: false,
    ...extra,
  });
}

async function onlineThenCached(): Promise<{ stateDir: string; statePath: string }> {
  const stateDir = await tempDir();
  const client = makeClient(stateDir, { ms: 0 });
  await client.acquire();
  client.close();
  return { stateDir, statePath: (await client.inspectCache()).statePath };
}

describe('offline grace', () => {
  it('carries the program on the cached token until the grace deadline and not past it', async () => {
    const { stateDir } = await onlineThenCached();
    const offset = { ms: (GRACE_SECONDS - 30) * 1000 };
    const early = makeClient(stateDir, offset, { fetch: networkDown });
    const events: string[] = [];
    early.on('offline', () => events.push('offline'));
    early.on('lost', (error) => events.push(`lost:${error.code}`));
    const lease = await early.acquire();
    expect(lease.mode).toBe('offline');
    expect(lease.entitlements).toEqual(['core', 'pro']);
    expect(early.assertLicensed().mode).toBe('offline');

    // The same running program, a minute later by its clock: the grace has ended.
    offset.ms += 60_000;
    expect(early.status().mode).toBe('lost');
    expect(events).toEqual(['offline', 'lost:OFFLINE_GRACE_EXPIRED']);
    expect(() => early.assertLicensed()).toThrow(OfflineGraceExpiredError);

    // A fresh start past the deadline is refused with a message that says what to do.
    const late = makeClient(stateDir, { ms: (GRACE_SECONDS + 30) * 1000 }, { fetch: networkDown });
    const error = await late.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineGraceExpiredError);
    expect((error as Error).message).toMatch(/offline grace period of this license ended .*Connect to the network/);
  });

  it('after a normal exit, a later start without network runs on the last token, and takes a seat once back', async () => {
    const stateDir = await tempDir();
    const first = makeClient(stateDir, { ms: 0 });
    await first.acquire();
    await first.release();
    const before = (await server.sessions(license.licenseId)).length;

    let down = true;
    const later = makeClient(stateDir, { ms: 60_000 }, { fetch: (url, init) => (down ? networkDown(url, init) : fetch(url, init)) });
    const events: string[] = [];
    later.on('recovered', () => events.push('recovered'));
    expect((await later.acquire()).mode).toBe('offline');
    down = false;
    expect((await later.heartbeat()).mode).toBe('online');
    expect(events).toEqual(['recovered']);
    expect(await server.sessions(license.licenseId)).toHaveLength(before + 1);
    await later.release();
  });

  it('without a cached token, an unreachable server is an error naming the server', async () => {
    const client = makeClient(await tempDir(), { ms: 0 }, { fetch: networkDown });
    const error = await client.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toContain(server.url);
  });

  it('goes offline when heartbeats fail, and recovers when the server answers again', async () => {
    const stateDir = await tempDir();
    let down = false;
    const flaky: FetchLike = (url, init) => (down ? networkDown(url, init) : fetch(url, init));
    const client = makeClient(stateDir, { ms: 0 }, { fetch: flaky, heartbeat: true });
    const events: string[] = [];
    client.on('offline', () => events.push('offline'));
    client.on('recovered', () => events.push('recovered'));
    await client.acquire();
    down = true;
    // The background loop notices at its next beat (the server's interval, 5 s here).
    await new Promise<void>((resolve) => client.once('offline', () => resolve()));
    expect(client.status().mode).toBe('offline');
    down = false;
    await client.heartbeat();
    expect(client.status().mode).toBe('online');
    expect(events).toEqual(['offline', 'recovered']);
    await client.release();
  });
});

describe('tampering', () => {
  it('detects a clock set backwards and refuses offline use', async () => {
    const { stateDir } = await onlineThenCached();
    const client = makeClient(stateDir, { ms: -3600_000 }, { fetch: networkDown });
    const error = await client.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClockRollbackError);
    expect((error as ClockRollbackError).code).toBe('CLOCK_ROLLBACK');
    expect((error as Error).message).toMatch(/Set the clock to the correct time/);
  });

  it('rejects a cached token edited by hand', async () => {
    const { stateDir, statePath } = await onlineThenCached();
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    const [header, payload, signature] = state.leaseToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.exp += 365 * 86_400;
    claims.offline_grace_until = claims.exp;
    state.leaseToken = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await writeFile(statePath, JSON.stringify(state));

    const client = makeClient(stateDir, { ms: 0 }, { fetch: networkDown });
    const error = await client.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect((error as TokenVerificationError).reason).toBe('signature');
  });

  it('rejects a token signed by another key, under a known or an unknown kid', async () => {
    const { stateDir, statePath } = await onlineThenCached();
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    const claims = JSON.parse(Buffer.from(state.leaseToken.split('.')[1], 'base64url').toString());
    const realKid = decodeProtectedHeader(state.leaseToken).kid as string;
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    for (const [kid, reason] of [
      [realKid, 'signature'],
      ['attacker-key', 'unknown-key'],
    ] as const) {
      state.leaseToken = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'leasehold-lease+jwt', kid }).sign(privateKey);
      await writeFile(statePath, JSON.stringify(state));
      const client = makeClient(stateDir, { ms: 0 }, { fetch: networkDown });
      const error = await client.acquire().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenVerificationError);
      expect((error as TokenVerificationError).reason).toBe(reason);
    }
  });

  it("rejects a cached token bound to another machine's fingerprint", async () => {
    const { stateDir } = await onlineThenCached();
    const client = makeClient(stateDir, { ms: 0 }, { fetch: networkDown, fingerprint: 'another-machine' });
    const error = await client.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect((error as TokenVerificationError).code).toBe('FINGERPRINT_MISMATCH');
  });

  it('refuses a token for another product', async () => {
    const { stateDir } = await onlineThenCached();
    const statePath = (await makeClient(stateDir, { ms: 0 }).inspectCache()).statePath;
    const other = new LeaseClient({
      serverUrl: server.url,
      product: 'other-product',
      stateDir,
      fingerprint: 'offline-test-machine',
      jwks,
      fetch: networkDown,
      sleep: async () => {},
      releaseOnExit: false,
    });
    // Another product never even reads this product's cache file …
    const otherPath = (await other.inspectCache()).statePath;
    expect(otherPath).not.toBe(statePath);
    // … and were the token copied there, its audience would not match.
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    await writeFile(otherPath, JSON.stringify({ ...state, product: 'other-product' }));
    const error = await other.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect((error as TokenVerificationError).reason).toBe('audience');
  });
});
