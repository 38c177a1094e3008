import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionLicenses } from '../../src/seats/session-licenses.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

describe('session → license lookups', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite');
  });
  afterAll(() => h.close());

  it('answers the sessions asked for together from one query, then from memory', async () => {
    const a = await seedLicense(h, { seats: 5 });
    const b = await seedLicense(h, { seats: 5 });
    const first = expectStatus(await h.licensing('acquire', acquireBody(a, 'machine-aaaa')), 200);
    const second = expectStatus(await h.licensing('acquire', acquireBody(b, 'machine-bbbb')), 200);
    const db = h.db.database.db;
    const execute = vi.spyOn(db, 'execute');
    const lookups = new SessionLicenses(db);

    const answers = await Promise.all([
      lookups.licenseOf(first.sessionId),
      lookups.licenseOf(second.sessionId),
      lookups.licenseOf(first.sessionId),
      lookups.licenseOf('ses_01m8p0000000000000000000000'),
    ]);
    expect(answers).toEqual([a.licenseId, b.licenseId, a.licenseId, null]);
    expect(execute).toHaveBeenCalledTimes(1);

    expect(await lookups.licenseOf(second.sessionId)).toBe(b.licenseId);
    expect(execute).toHaveBeenCalledTimes(1);
    execute.mockRestore();
  });
});
