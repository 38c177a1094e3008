import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastDayCounts } from '../../src/repositories/overview-repository.js';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';

type Rows = { rows: Array<Record<string, unknown>> };

/** The overview's 24-hour counts read an index, so they stay fast on a long audit log. */
describe('overview: last-day denials and expiries', () => {
  let h: Harness;
  const now = new Date('2030-03-01T12:00:00Z');

  beforeAll(async () => {
    h = await createHarness('postgres');
    // A long audit log: 60 days of many kinds of events, a few denials and expiries among them.
    await h.services.database.db.execute(sql`
      insert into audit_events (seq, id, at, action, actor_type, data, prev_hash, hash)
      select 1000000 + g, 'aud_test' || g, ${now.toISOString()}::timestamptz - (g * interval '86 seconds'),
        case when g % 500 = 0 then 'seat.denied' when g % 700 = 0 then 'seat.expired' when g % 3 = 0 then 'seat.granted' else 'seat.heartbeat' end,
        'system', '{}'::jsonb, '', ''
      from generate_series(1, 60000) g`);
    await h.services.database.db.execute(sql`analyze audit_events`);
  }, 60_000);
  afterAll(() => h?.close());

  const plan = async () => {
    const answer = (await h.services.database.db.execute(sql`explain (format json) ${lastDayCounts(now, null)}`)) as unknown as Rows;
    return JSON.stringify(answer.rows[0]);
  };

  it('counts the last day only, through the (action, at) index', async () => {
    const counts = (await h.services.database.db.execute(lastDayCounts(now, null))) as unknown as Rows;
    // 86 s apart: the last day holds events 1–1004, of which 2 denials (500, 1000) and 1 expiry (700).
    expect(Object.fromEntries(counts.rows.map((r) => [r.action, Number(r.n)]))).toEqual({ 'seat.denied': 2, 'seat.expired': 1 });
    h.clock.set(now);
    expect(expectStatus(await h.admin('GET', '/overview'), 200)).toMatchObject({ denials24h: 2, expiries24h: 1 });
    expect(await plan()).toContain('audit_events_action_at_idx');
  });

  it('would scan otherwise (the check can fail)', async () => {
    await h.services.database.db.execute(sql`drop index audit_events_action_at_idx`);
    expect(await plan()).not.toContain('audit_events_action_at_idx');
  });
});
