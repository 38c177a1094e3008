import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeatUsageRollup } from '../../src/usage/seat-usage-rollup.js';
import { acquireBody, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';

const DAY = '2030-01-01';
const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;

/** A day of scripted acquires and releases on a 2-seat license, rolled up hour by hour. */
describe('seat-usage rollup', () => {
  let h: Harness;
  let seed: SeededLicense;
  const sessions = new Map<string, { sessionId: string; sessionSecret: string }>();

  beforeAll(async () => {
    h = await createHarness('postgres');
    seed = await seedLicense(h, { seats: 2, seatBasis: 'machine', leaseTtlSeconds: 86_400, heartbeatIntervalSeconds: 60 });
  }, 60_000);
  afterAll(() => h?.close());

  const acquire = async (name: string, time: string) => {
    h.clock.set(at(time));
    const answer = await h.licensing('acquire', acquireBody(seed, `fingerprint-${name}-000000`));
    if (answer.statusCode === 200) sessions.set(name, answer.json());
    return answer.statusCode;
  };
  const release = async (name: string, time: string) => {
    h.clock.set(at(time));
    const s = sessions.get(name);
    expectStatus(await h.licensing('release', { sessionId: s?.sessionId, sessionSecret: s?.sessionSecret }), 200);
  };
  const usage = async (query: string) => expectStatus(await h.admin('GET', `/licenses/${seed.licenseId}/usage?${query}`), 200);

  it('gives the expected hourly peaks, averages and denials, in JSON and CSV', async () => {
    expect(await acquire('a', '00:10')).toBe(200);
    expect(await acquire('b', '00:40')).toBe(200);
    expect(await acquire('c', '00:50')).toBe(409);
    await release('a', '01:30');
    // A run in the middle of the day: the rollup carries B forward to now, then goes on from there.
    h.clock.set(at('04:30'));
    await h.services.usage.catchUp();
    expect(await acquire('d', '05:15')).toBe(200);
    expect(await acquire('e', '05:20')).toBe(409);
    expect(await acquire('f', '05:25')).toBe(409);
    await release('b', '10:00');
    await release('d', '12:30');
    expect(await acquire('g', '23:00')).toBe(200);
    h.clock.set(at('23:30'));
    await h.services.usage.catchUp();

    const hourly = await usage(`from=${at('00:00')}&to=${DAY}T23:59:59Z`);
    expect(hourly.buckets).toHaveLength(24);
    const peaks = hourly.buckets.map((b: { peak: number }) => b.peak);
    expect(peaks).toEqual([2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const denials = hourly.buckets.map((b: { denials: number }) => b.denials);
    expect(denials).toEqual([1, 0, 0, 0, 0, 2, ...Array(18).fill(0)]);
    // 00:10–01:00 A (50 min) + 00:40–01:00 B (20 min) = 70 seat-minutes.
    expect(hourly.buckets[0]).toEqual({ start: at('00:00').replace('Z', '.000Z'), seats: 2, peak: 2, average: 1.167, denials: 1, utilisation: 0.583 });
    expect(hourly.buckets[1].average).toBe(1.5);
    expect(hourly.buckets[5].average).toBe(1.75);
    expect(hourly.buckets[23].average).toBe(0.5);

    const daily = await usage(`from=${at('00:00')}&to=2030-01-02T00:00:00Z&granularity=day`);
    expect(daily.buckets).toHaveLength(1);
    expect(daily.buckets[0]).toMatchObject({ peak: 2, denials: 3 });

    const csv = await h.admin('GET', `/licenses/${seed.licenseId}/usage?from=${at('00:00')}&to=${at('06:00')}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.trim().split('\n')).toEqual([
      'start,seats,peak,average,denials,utilisation',
      '2030-01-01T00:00:00.000Z,2,2,1.167,1,0.583',
      '2030-01-01T01:00:00.000Z,2,2,1.5,0,0.75',
      '2030-01-01T02:00:00.000Z,2,1,1,0,0.5',
      '2030-01-01T03:00:00.000Z,2,1,1,0,0.5',
      '2030-01-01T04:00:00.000Z,2,1,1,0,0.5',
      '2030-01-01T05:00:00.000Z,2,2,1.75,2,0.875',
    ]);
  });

  it('ranks licenses by denials and by utilisation, as JSON and CSV', async () => {
    const idle = await seedLicense(h, { seats: 10 });
    const summary = expectStatus(await h.admin('GET', `/usage?from=${at('00:00')}&to=2030-01-02T00:00:00Z`), 200);
    expect(summary.data[0]).toMatchObject({ licenseId: seed.licenseId, denials: 3, peak: 2 });
    const unused = expectStatus(await h.admin('GET', `/usage?from=${at('00:00')}&to=2030-01-02T00:00:00Z&order=utilisation`), 200);
    expect(unused.data[0]).toMatchObject({ licenseId: idle.licenseId, peak: 0, utilisation: 0 });
    // The ranking pages: one license at a time, following the cursors, gives the same order.
    const period = `from=${at('00:00')}&to=2030-01-02T00:00:00Z&order=utilisation`;
    const whole = expectStatus(await h.admin('GET', `/usage?${period}&limit=500`), 200);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = expectStatus(await h.admin('GET', `/usage?${period}&limit=1${cursor ? `&cursor=${cursor}` : ''}`), 200);
      expect(page.data).toHaveLength(1);
      paged.push(page.data[0].licenseId);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(whole.data.map((l: { licenseId: string }) => l.licenseId));
    expect((await h.admin('GET', `/usage?${period}&cursor=-1`)).statusCode).toBe(400);
    const csv = await h.admin('GET', `/usage?from=${at('00:00')}&to=2030-01-02T00:00:00Z&format=csv`);
    expect(csv.body.split('\n')[0]).toBe('licenseId,organisationId,seats,peak,average,denials,utilisation');
    expect(csv.body).toContain(`${seed.licenseId},${seed.organisationId},2,2,`);
  });

  it('rolls up the same hours when its runs read a few events at a time: the batches meet without a gap', async () => {
    const day = '2030-03-01';
    const time = (hhmm: string) => `${day}T${hhmm}:00Z`;
    h.clock.set(time('00:00'));
    const paged = await seedLicense(h, { seats: 2, seatBasis: 'machine', leaseTtlSeconds: 86_400, heartbeatIntervalSeconds: 60 });
    const a = expectStatus(await h.licensing('acquire', acquireBody(paged, 'fingerprint-batch-a-001')), 200);
    h.clock.set(time('00:30'));
    expectStatus(await h.licensing('acquire', acquireBody(paged, 'fingerprint-batch-b-001')), 200);
    h.clock.set(time('00:45'));
    expect((await h.licensing('acquire', acquireBody(paged, 'fingerprint-batch-c-001'))).statusCode).toBe(409);
    h.clock.set(time('01:30'));
    expectStatus(await h.licensing('release', { sessionId: a.sessionId, sessionSecret: a.sessionSecret }), 200);
    h.clock.set(time('02:00'));
    // Two events a run: the grants, the denial and the release fall in different runs.
    const small = new SeatUsageRollup({ db: h.services.database.db, clock: h.clock, batch: 2 });
    expect(await small.catchUp()).toBeGreaterThanOrEqual(4);
    const hourly = expectStatus(await h.admin('GET', `/licenses/${paged.licenseId}/usage?from=${time('00:00')}&to=${time('02:00')}`), 200);
    expect(hourly.buckets.map((b: { peak: number; average: number; denials: number }) => [b.peak, b.average, b.denials])).toEqual([
      [2, 1.5, 1],
      [2, 1.5, 0],
    ]);
  });

  it('counts one seat per seat-basis key, and utilisation against the seats in force at each hour', async () => {
    const day = '2030-02-01';
    const time = (hhmm: string) => `${day}T${hhmm}:00Z`;
    h.clock.set(time('00:00'));
    const machine = await seedLicense(h, { seats: 2, seatBasis: 'machine', leaseTtlSeconds: 86_400, heartbeatIntervalSeconds: 60 });
    // Two copies on one machine hold one seat; the seat is free only when the last one ends.
    const first = expectStatus(await h.licensing('acquire', acquireBody(machine, 'fingerprint-shared-0001')), 200);
    const second = expectStatus(await h.licensing('acquire', acquireBody(machine, 'fingerprint-shared-0001', { hostname: 'second-copy' })), 200);
    expect(second.sessionId).not.toBe(first.sessionId);
    h.clock.set(time('01:00'));
    expectStatus(await h.admin('PATCH', `/licenses/${machine.licenseId}`, { seats: 4 }), 200);
    h.clock.set(time('02:30'));
    expectStatus(await h.licensing('release', { sessionId: first.sessionId, sessionSecret: first.sessionSecret }), 200);
    h.clock.set(time('03:00'));
    await h.services.usage.catchUp();

    const hourly = expectStatus(await h.admin('GET', `/licenses/${machine.licenseId}/usage?from=${time('00:00')}&to=${time('03:00')}`), 200);
    expect(
      hourly.buckets.map((b: { seats: number; peak: number; average: number; utilisation: number }) => [b.seats, b.peak, b.average, b.utilisation]),
    ).toEqual([
      [2, 1, 1, 0.5],
      [4, 1, 1, 0.25],
      [4, 1, 1, 0.25],
    ]);
    // Over the three hours: 3 seat-hours held of 2 + 4 + 4 = 10 sold.
    const summary = expectStatus(await h.admin('GET', `/usage?from=${time('00:00')}&to=${time('03:00')}&order=utilisation&limit=500`), 200);
    expect(summary.data.find((l: { licenseId: string }) => l.licenseId === machine.licenseId)).toMatchObject({
      seats: 4,
      peak: 1,
      average: 1,
      utilisation: 0.3,
    });

    // A plan's seat change moves every license that takes its seats from the plan.
    h.clock.set(time('04:00'));
    expectStatus(await h.admin('PATCH', `/plans/${machine.planId}`, { seats: 8 }), 200);
    expectStatus(await h.admin('PATCH', `/licenses/${machine.licenseId}`, { seats: null }), 200);
    h.clock.set(time('06:00'));
    await h.services.usage.catchUp();
    const later = expectStatus(await h.admin('GET', `/licenses/${machine.licenseId}/usage?from=${time('03:00')}&to=${time('06:00')}`), 200);
    expect(later.buckets.map((b: { seats: number; utilisation: number }) => [b.seats, b.utilisation])).toEqual([
      [4, 0.25],
      [8, 0.125],
      [8, 0.125],
    ]);
  });

  it('refuses a range over a year or backwards, with a 400', async () => {
    const long = await h.admin('GET', `/licenses/${seed.licenseId}/usage?from=2029-01-01T00:00:00Z&to=2030-01-03T00:00:00Z`);
    expect(long.statusCode).toBe(400);
    expect(long.json().detail ?? long.body).toBeTruthy();
    const backwards = await h.admin('GET', `/usage?from=${at('05:00')}&to=${at('04:00')}`);
    expect(backwards.statusCode).toBe(400);
  });
});
