import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseClient, NoSeatAvailableError, type QueuePlace } from '../src/index.js';
import { type SeededLicense, seedLicense, startServer, type TestServer } from './support/server.js';
import { tempDir } from './support/temp-dir.js';

// The SDK waiting in the server's seat queue: `wait` instead of failing at once.
let server: TestServer;
let license: SeededLicense;

beforeAll(async () => {
  server = await startServer();
  license = await seedLicense(server, { seats: 1, leaseTtlSeconds: 60, heartbeatIntervalSeconds: 10 });
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
    heartbeat: false,
    ...extra,
  });

describe('waiting for a seat', () => {
  it('with wait, acquire resolves once the holder gives the seat back, after telling its place', async () => {
    const holder = await clientFor();
    await holder.acquire();
    const waiter = await clientFor({ wait: 60 });
    const places: QueuePlace[] = [];
    waiter.on('queued', (place) => places.push(place));
    const started = Date.now();
    const waiting = waiter.acquire();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await holder.release();
    const lease = await waiting;
    expect(lease.mode).toBe('online');
    expect(Date.now() - started).toBeLessThan(5_000);
    // Served within one held poll: no place needed telling.
    expect(places).toEqual([]);
    await waiter.release();
  });

  it('when the wait runs out, NoSeatAvailableError carries the place; without wait it fails at once', async () => {
    const holder = await clientFor();
    await holder.acquire();
    const impatient = await clientFor();
    const refusedAt = Date.now();
    await expect(impatient.acquire()).rejects.toBeInstanceOf(NoSeatAvailableError);
    expect(Date.now() - refusedAt).toBeLessThan(2_000);
    const patient = await clientFor({ wait: 2 });
    const error = (await patient.acquire().catch((e: unknown) => e)) as NoSeatAvailableError;
    expect(error).toBeInstanceOf(NoSeatAvailableError);
    expect(error.queue).toMatchObject({ position: 1, waiting: 1 });
    expect(error.queue?.ticket).toMatch(/^wtr_/);
    await holder.release();
  });
});
