import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

/** Alerts on a dependency outage need a scrape that still answers, with the outage in it. */
describe('metrics during a PostgreSQL outage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('postgres');
  });
  afterAll(async () => {
    await h.app.close();
    await h.db.dispose().catch(() => {});
  });

  it('scrapes answer 200 without touching PostgreSQL, keep the last seat values and report the database down', async () => {
    const seed = await seedLicense(h, { seats: 3 });
    expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    await h.services.gauges.refresh();
    await h.db.database.close();

    const started = Date.now();
    const scrape = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);

    await h.services.gauges.refresh(500);
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('leasehold_dependency_up{dependency="database"} 0');
    expect(text).toContain(`leasehold_seats_in_use{license_id="${seed.licenseId}"} 1`);
    expect(text).toMatch(/leasehold_gauges_refreshed_timestamp_seconds \d+/);
  });
});
