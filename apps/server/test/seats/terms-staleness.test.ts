import { describe, expect, it } from 'vitest';
import { LicenseTermsCache, TERMS_STALE_BOUND_MS } from '../../src/seats/license-terms-cache.js';
import type { LicenseTermsLoader } from '../../src/seats/redis-license-terms.js';
import type { LockedLicense } from '../../src/seats/seat-terms.js';

/** The terms copy's fallback during a PostgreSQL outage, on a manual clock: used within the bound, never past it. */
describe('license terms through a PostgreSQL outage', () => {
  const active = { status: 'active' } as LockedLicense;
  const suspended = { status: 'suspended' } as LockedLicense;

  function setup() {
    let now = 0;
    let answer: LockedLicense | Error = active;
    let reads = 0;
    const loader = {
      load: async () => {
        reads += 1;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    } as unknown as LicenseTermsLoader;
    const cache = new LicenseTermsCache(loader, 5_000, () => now);
    return {
      cache,
      advance: (ms: number) => {
        now += ms;
      },
      answer: (next: LockedLicense | Error) => {
        answer = next;
      },
      reads: () => reads,
    };
  }

  it('keeps the copy when the feed drops, serves it only while PostgreSQL cannot be read, up to the bound', async () => {
    const t = setup();
    t.cache.setListening(true);
    expect(await t.cache.load('lic_1')).toBe(active);
    t.cache.setListening(false);
    t.answer(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    t.advance(TERMS_STALE_BOUND_MS - 1);
    expect(await t.cache.load('lic_1')).toBe(active);
    t.advance(2);
    await expect(t.cache.load('lic_1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reads PostgreSQL first whenever the feed is not heard, so a change is never missed while it answers', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.cache.load('lic_1');
    t.cache.setListening(false);
    t.answer(suspended);
    const before = t.reads();
    expect(await t.cache.load('lic_1')).toBe(suspended);
    expect(t.reads()).toBe(before + 1);
  });

  it('a fresh read during the outage restarts the bound; a license never read has no fallback', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.cache.load('lic_1');
    t.cache.setListening(false);
    t.advance(TERMS_STALE_BOUND_MS);
    expect(await t.cache.load('lic_1')).toBe(active);
    t.answer(new Error('Connection terminated unexpectedly'));
    t.advance(TERMS_STALE_BOUND_MS - 1);
    expect(await t.cache.load('lic_1')).toBe(active);
    await expect(t.cache.load('lic_2')).rejects.toThrow(/terminated/);
  });

  it('drops every copy when the feed is heard again: changes may have been missed', async () => {
    const t = setup();
    t.cache.setListening(true);
    await t.cache.load('lic_1');
    t.cache.setListening(false);
    t.cache.setListening(true);
    t.answer(new Error('Connection terminated unexpectedly'));
    await expect(t.cache.load('lic_1')).rejects.toThrow();
  });
});
