import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededLicense, seedLicense, startServer, type TestServer, waitFor } from '../../../packages/client/test/support/server.js';
import { tempDir } from '../../../packages/client/test/support/temp-dir.js';
import { startCoditect } from './support.js';

let server: TestServer;
let ttlSeconds = 5;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.close());

/** A license with a short lease TTL: 5 s, or the server's minimum if it refuses that. */
async function shortLease(seats: number): Promise<SeededLicense> {
  try {
    return await seedLicense(server, { seats, seatBasis: 'session', leaseTtlSeconds: 5, heartbeatIntervalSeconds: 2 });
  } catch (error) {
    if (!String(error).includes('VALIDATION_FAILED')) throw error;
    ttlSeconds = 30;
    return seedLicense(server, { seats, seatBasis: 'session', leaseTtlSeconds: 30, heartbeatIntervalSeconds: 10 });
  }
}

const envFor = async (license: SeededLicense, host: string) => ({
  LEASEHOLD_URL: server.url,
  CODITECT_LICENSE_KEY: license.key,
  LEASEHOLD_CONFIG_DIR: await tempDir(),
  LEASEHOLD_FINGERPRINT: host,
  LEASEHOLD_HOSTNAME: `${host}-laptop`,
});

describe('seats held by the example program', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s releases the seat at once and the process still dies of the signal', async (sent) => {
    const license = await shortLease(1);
    const program = startCoditect(['serve'], await envFor(license, 'term-host'));
    await program.printed('CODITECT licensed');
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    program.child.kill(sent);
    const { signal } = await program.exited;
    expect(signal).toBe(sent);
    // Released by the program itself, not by expiry: the seat is free straight away.
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('process.exit() right after acquiring still releases the seat (synchronous fallback)', async () => {
    const license = await shortLease(1);
    const program = startCoditect(['check'], await envFor(license, 'exit-host'));
    const { code } = await program.exited;
    expect(code).toBe(0);
    expect(program.stdout()).toContain('CODITECT licensed');
    expect(await server.sessions(license.licenseId)).toHaveLength(0);
  });

  it('a client killed with SIGKILL holds its seat only until the lease TTL', async () => {
    const license = await shortLease(1);
    const program = startCoditect(['serve'], await envFor(license, 'kill-host'));
    await program.printed('CODITECT licensed');
    program.child.kill('SIGKILL');
    await program.exited;
    const killedAt = Date.now();
    expect(await server.sessions(license.licenseId)).toHaveLength(1);
    const freed = await waitFor(async () => (await server.sessions(license.licenseId)).length === 0, (ttlSeconds + 5) * 1000);
    expect(freed).toBe(true);
    const heldFor = (Date.now() - killedAt) / 1000;
    expect(heldFor).toBeLessThanOrEqual(ttlSeconds + 5);
  }, 60_000);

  it('no seat free: prints who holds the seats and when to retry, and exits 3', async () => {
    const license = await shortLease(2);
    const holders = [startCoditect(['serve'], await envFor(license, 'alice')), startCoditect(['serve'], await envFor(license, 'bob'))];
    try {
      await Promise.all(holders.map((h) => h.printed('CODITECT licensed')));
      const third = startCoditect(['hello'], { ...(await envFor(license, 'carol')), TZ: 'UTC' });
      const { code } = await third.exited;
      expect(code).toBe(3);
      expect(third.stderr()).toMatch(
        /All 2 seats of this license are in use \(by (alice-laptop, bob-laptop|bob-laptop, alice-laptop)\)\. The next one frees at \d\d:\d\d unless released sooner\./,
      );
    } finally {
      for (const h of holders) h.child.kill('SIGTERM');
      await Promise.all(holders.map((h) => h.exited));
    }
  });
});
