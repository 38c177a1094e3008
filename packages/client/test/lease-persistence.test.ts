import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LeasePersistence } from '../src/lease/lease-persistence.js';
import type { LeaseState } from '../src/state/lease-state.js';
import { tempDir } from './support/temp-dir.js';

const SERVER = 'https://lic.example.com';

async function persistenceAt(now: { ms: number }, product = 'coditect', stateDir?: string) {
  return new LeasePersistence(stateDir ?? (await tempDir()), `${SERVER}/`, product, { now: () => now.ms });
}

const withSession = (state: LeaseState): LeaseState => ({
  ...state,
  sessionId: 'ses_1',
  sessionSecret: 'secret',
  licenseId: 'lic_1',
  leaseToken: 'token',
});

describe('the lease persistence', () => {
  it('starts a first run with nothing cached and now as the latest time seen', async () => {
    const persistence = await persistenceAt({ ms: 1000 });
    expect(await persistence.load()).toBeNull();
    expect(persistence.fresh()).toEqual({ version: 1, serverUrl: SERVER, product: 'coditect', lastSeenAt: 1000 });
  });

  it('saves the state with the time seen moved up to now, never back', async () => {
    const now = { ms: 5000 };
    const persistence = await persistenceAt(now);
    const state = withSession(persistence.fresh());
    now.ms = 9000;
    await persistence.save(state);
    expect(state.lastSeenAt).toBe(9000);
    now.ms = 2000;
    await persistence.save(state);
    expect(await persistence.load()).toEqual({ ...state, lastSeenAt: 9000 });
    expect(JSON.parse(await readFile(persistence.path, 'utf8')).lastSeenAt).toBe(9000);
  });

  it('forgets the session and the token, or the session only', async () => {
    const persistence = await persistenceAt({ ms: 1000 });
    const kept = withSession(persistence.fresh());
    await persistence.forgetSession(kept, { keepToken: true });
    expect(await persistence.load()).toMatchObject({ leaseToken: 'token', licenseId: 'lic_1' });
    expect(await persistence.load()).not.toHaveProperty('sessionId');

    const gone = withSession(persistence.fresh());
    await persistence.forgetSession(gone);
    const loaded = await persistence.load();
    for (const field of ['sessionId', 'sessionSecret', 'leaseToken', 'licenseId']) expect(loaded).not.toHaveProperty(field);
  });

  it("does not read another product's state", async () => {
    const stateDir = await tempDir();
    const mine = await persistenceAt({ ms: 1000 }, 'coditect', stateDir);
    await mine.save(withSession(mine.fresh()));
    const other = await persistenceAt({ ms: 1000 }, 'other-product', stateDir);
    expect(await other.load()).toBeNull();
  });
});
