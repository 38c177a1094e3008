import { sql } from 'drizzle-orm';
import type { RedisSeatCore } from './redis-seat-core.js';

/** What one pass found and repaired, by kind, and which licenses it rebuilt. */
export interface ReconcileReport {
  licenses: number;
  /** Sessions Redis holds that PostgreSQL has no live row for, decided longer ago than the grace. */
  orphans: number;
  /** Sessions PostgreSQL holds as live that Redis does not count. */
  missing: number;
  rebuilt: string[];
}

/** How long a Redis session may wait for its PostgreSQL row before it counts as an orphan. */
const GRACE_MS = 60_000;
/** Seats read from Redis per script call while comparing. */
const INSPECT_PAGE = 500;

/**
 * Compares Redis's seats with PostgreSQL's sessions, license by license, and repairs a
 * disagreement in the safe direction: the license is rebuilt from PostgreSQL (its Redis
 * epoch dropped, then loaded afresh under a new fence), which counts every session
 * PostgreSQL cannot prove ended (so Redis never holds fewer than PostgreSQL) and drops
 * those PostgreSQL never recorded (a grant still on its way is fenced, never missed).
 *
 * Cheap: one query for the candidate licenses, then per license one query and one
 * script. Agreement means every session live in PostgreSQL is live in Redis, and
 * every session live in Redis has a row not ended.
 */
export async function reconcile(core: RedisSeatCore, onlyLicense?: string): Promise<ReconcileReport> {
  const report: ReconcileReport = { licenses: 0, orphans: 0, missing: 0, rebuilt: [] };
  // Copies still queued here would otherwise look like sessions PostgreSQL holds longer.
  await core.writer.flush().catch(() => {});
  const licenseIds = onlyLicense ? [onlyLicense] : await candidateLicenses(core);
  for (const licenseId of licenseIds) {
    report.licenses += 1;
    const found = await compare(core, licenseId);
    if (!found || (found.orphans === 0 && found.missing === 0)) continue;
    report.orphans += found.orphans;
    report.missing += found.missing;
    await core.dropEpoch(licenseId, found.epoch);
    // Any seat call rebuilds a license without an epoch; this one changes nothing else.
    await core.decide('lhCount', licenseId, []);
    report.rebuilt.push(licenseId);
  }
  return report;
}

/** Licenses with sessions not ended, or ended within the last hour (a Redis copy may linger). */
async function candidateLicenses(core: RedisSeatCore): Promise<string[]> {
  const result = (await core.o.db.execute(
    sql`select distinct license_id from sessions where ended_at is null or ended_at > now() - interval '1 hour'`,
  )) as unknown as { rows: { license_id: string }[] };
  return result.rows.map((r) => r.license_id).sort();
}

/** One license's disagreements, or null when Redis has no state for it (the next call rebuilds it anyway). */
export async function compare(core: RedisSeatCore, licenseId: string): Promise<{ orphans: number; missing: number; epoch: string } | null> {
  const base = core.keys.base(licenseId);
  // Redis is read a page of seats at a time; the scan's first time judges them all.
  const inRedis = new Map<string, { exp: number; st: number }>();
  let cursor = '0';
  let nowMs = 0;
  let epoch: string | null = null;
  do {
    const raw = (await core.o.connection.run('inspect', (c) =>
      c.lhInspect(`${base}epoch`, `${base}seats`, core.scriptNow(), base, cursor, INSPECT_PAGE),
    )) as unknown[];
    if (raw[0] === 'REBUILD') return null;
    // Rebuilt while scanning: the next pass looks at the new state.
    if (epoch !== null && String(raw[2]) !== epoch) return null;
    if (epoch === null) nowMs = Number(raw[1]);
    epoch = String(raw[2]);
    for (const [sid, exp, st] of (raw[3] as [string, number, number][]) ?? []) inRedis.set(sid, { exp, st });
    cursor = String(raw[4]);
  } while (cursor !== '0');
  const rows = (await core.o.db.execute(
    sql`select id, expires_at, ended_at, started_at from sessions where license_id = ${licenseId} and (ended_at is null or id in (select jsonb_array_elements_text(${JSON.stringify([...inRedis.keys()])}::jsonb)))`,
  )) as unknown as { rows: { id: string; expires_at: string | Date; ended_at: string | Date | null; started_at: string | Date }[] };
  const inPostgres = new Map(
    rows.rows.map((r) => [
      r.id,
      {
        exp: new Date(r.expires_at).getTime(),
        endedAt: r.ended_at === null ? null : new Date(r.ended_at).getTime(),
        startedAt: new Date(r.started_at).getTime(),
      },
    ]),
  );
  let orphans = 0;
  let missing = 0;
  for (const [sid, r] of inRedis) {
    if (r.exp <= nowMs) continue;
    const p = inPostgres.get(sid);
    // Ended after the scan began: Redis let it go after its page was read.
    const ended = p !== undefined && p.endedAt !== null && p.endedAt <= nowMs;
    if ((!p || ended) && nowMs - r.st > GRACE_MS) orphans += 1;
  }
  for (const [sid, p] of inPostgres) {
    if (p.endedAt !== null || p.exp <= nowMs) continue;
    // Started after the scan began: its seat may sit on a page already read.
    if (p.startedAt > nowMs) continue;
    // A longer expiry in PostgreSQL than in Redis is only conservative (a shortened lease not yet copied).
    const r = inRedis.get(sid);
    if (!r || r.exp <= nowMs) missing += 1;
  }
  return { orphans, missing, epoch: epoch ?? '' };
}
