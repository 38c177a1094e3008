import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredIdentityRows } from '../../src/identity/housekeeping.js';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';

describe('identity housekeeping', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite');
  });
  afterAll(() => h.close());

  const count = async () => Number((await h.db.database.db.execute(sql`select count(*)::int as n from device_codes`)).rows[0]?.n);

  it('keeps device codes until a day past their expiry, then deletes them', async () => {
    expectStatus(await h.app.inject({ method: 'POST', url: '/auth/device/code', payload: { client_id: 'leasehold-cli' } }), 200);
    expect(await count()).toBe(1);
    h.clock.advance(600 + 86_400 - 10);
    expect(await purgeExpiredIdentityRows(h.db.database.db, h.clock.now())).toBe(0);
    h.clock.advance(20);
    expect(await purgeExpiredIdentityRows(h.db.database.db, h.clock.now())).toBe(1);
    expect(await count()).toBe(0);
  });
});
