import { newId } from '@leasehold/protocol/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBody, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';

/** A key bound to one organisation must not see or change another's data; another's answers as missing. */
describe('organisation isolation for bound API keys', () => {
  let h: Harness;
  let mine: SeededLicense;
  let theirs: SeededLicense;
  let key: string;
  let theirSession: string;

  beforeAll(async () => {
    h = await createHarness('pglite');
    mine = await seedLicense(h, { seats: 3 });
    theirs = await seedLicense(h, { seats: 3 });
    expectStatus(await h.licensing('acquire', acquireBody(mine, 'machine-mine')), 200);
    theirSession = expectStatus(await h.licensing('acquire', acquireBody(theirs, 'machine-theirs')), 200).sessionId;
    key = expectStatus(
      await h.admin('POST', '/api-keys', {
        name: 'acme automation',
        organisationId: mine.organisationId,
        scopes: ['licenses:read', 'licenses:write', 'sessions:read', 'sessions:write', 'audit:read', 'organisations:read'],
      }),
      201,
    ).secret;
  });
  afterAll(() => h.close());

  it('answers for another organisation exactly as for a missing resource', async () => {
    const missing = newId('license');
    for (const [path, method, body] of [
      [`/licenses/${theirs.licenseId}`, 'GET', undefined],
      [`/licenses/${theirs.licenseId}`, 'PATCH', { seats: 100 }],
      [`/licenses/${theirs.licenseId}/suspend`, 'POST', {}],
      [`/licenses/${theirs.licenseId}/renew`, 'POST', { extendDays: 30 }],
    ] as const) {
      const other = await h.admin(method, path, body, key);
      const none = await h.admin(method, path.replace(theirs.licenseId, missing), body, key);
      expect(other.statusCode, path).toBe(404);
      expect(none.statusCode).toBe(404);
      expect(other.json().title).toBe(none.json().title);
      expect(other.json().detail).toBe(none.json().detail.replace(missing, theirs.licenseId));
    }
    expect((await h.admin('GET', `/organisations/${theirs.organisationId}`, undefined, key)).statusCode).toBe(404);
    expect((await h.admin('POST', `/sessions/${theirSession}/release`, undefined, key)).statusCode).toBe(404);
    expect((await h.admin('POST', '/licenses', { organisationId: theirs.organisationId, planId: theirs.planId }, key)).statusCode).toBe(404);
    // Nothing changed for the other organisation.
    const theirLicense = expectStatus(await h.admin('GET', `/licenses/${theirs.licenseId}`), 200);
    expect(theirLicense).toMatchObject({ status: 'active', seats: 3, seatsInUse: 1 });
  });

  it('lists only its own licenses, sessions, organisations and audit events, whatever the filters say', async () => {
    const licenses = expectStatus(await h.admin('GET', '/licenses', undefined, key), 200);
    expect(licenses.data.map((l: { id: string }) => l.id)).toEqual([mine.licenseId]);
    const filtered = expectStatus(await h.admin('GET', `/licenses?organisationId=${theirs.organisationId}`, undefined, key), 200);
    expect(filtered.data).toEqual([]);
    const sessions = expectStatus(await h.admin('GET', '/sessions', undefined, key), 200);
    expect(sessions.data.every((s: { organisationId: string }) => s.organisationId === mine.organisationId)).toBe(true);
    expect(sessions.data).toHaveLength(1);
    const orgs = expectStatus(await h.admin('GET', '/organisations', undefined, key), 200);
    expect(orgs.data.map((o: { id: string }) => o.id)).toEqual([mine.organisationId]);
    const audit = expectStatus(await h.admin('GET', '/audit?limit=500', undefined, key), 200);
    expect(audit.data.length).toBeGreaterThan(0);
    expect(audit.data.every((e: { organisationId: string }) => e.organisationId === mine.organisationId)).toBe(true);
    const exported = await h.admin('GET', '/audit/export', undefined, key);
    expect(
      exported.body
        .trim()
        .split('\n')
        .every((line) => JSON.parse(line).organisationId === mine.organisationId),
    ).toBe(true);
  });

  it('cannot create organisations, products or API keys, nor be given vendor-wide scopes', async () => {
    expect((await h.admin('POST', '/organisations', { name: 'x' }, key)).statusCode).toBe(403);
    expect((await h.admin('POST', '/products', { code: 'zz', name: 'x' }, key)).statusCode).toBe(403);
    const wide = await h.admin('POST', '/api-keys', { name: 'x', organisationId: mine.organisationId, scopes: ['products:write'] });
    expect(wide.statusCode).toBe(400);
    expect(wide.json().errors[0].path).toBe('scopes');
  });
});
