import { sql } from 'drizzle-orm';
import { jsonList } from '../db/json-list.js';
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
/**
 * Seats read from Redis per script call while comparing: every heartbeat of the license
 * waits behind a call, and 500 seats held Redis for 11-12 ms.
 */
const INSPECT_PAGE = 100;
/** Sessions read from PostgreSQL per query while comparing. */
const PG_PAGE = 1_000;

/**
 * Compares Redis's seats with PostgreSQL's sessions, license by license, and repairs a
 * disagreement in the safe direction: the license is rebuilt from PostgreSQL (its Redis
 * epoch dropped, then loaded afresh under a new fence), which counts every session
 * PostgreSQL cannot prove ended (so Redis never holds fewer than PostgreSQL) and drops
 * those PostgreSQL never recorded (a grant still on its way is fenced, never missed).
 *
 * Cheap: one query for the candidate licenses, then per license bounded pages of
 * script calls and of queries, each by an index. Agreement means every session live
 * in PostgreSQL is live in Redis, and every session live in Redis has a row not ended.
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
  // Session → expiry: a number per entry, not an object (100,000 of them outlive young-generation GCs).
  const inRedis = new Map<string, number>();
  // The Redis sessions old enough to be judged orphans, if PostgreSQL has no live row for them.
  const judged: string[] = [];
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
    for (const [sid, exp, st] of (raw[3] as [string, number, number][]) ?? []) {
      // A scan may answer a seat twice (Redis rehashing): it is judged once.
      if (!inRedis.has(sid) && exp > nowMs && nowMs - st > GRACE_MS) judged.push(sid);
      inRedis.set(sid, exp);
    }
    cursor = String(raw[4]);
  } while (cursor !== '0');
  let orphans = 0;
  // PostgreSQL is read in pages too, each by an index: a license's 100,000 sessions in one
  // result (with as many IDs in its parameter) held the event loop for hundreds of ms.
  // Orphans: the judged Redis sessions, looked up by ID (primary key).
  for (let i = 0; i < judged.length; i += PG_PAGE) {
    const ids = judged.slice(i, i + PG_PAGE);
    const rows = (await core.o.db.execute(sql`select id, ended_at from sessions where license_id = ${licenseId} and id in ${jsonList(ids)}`)) as unknown as {
      rows: { id: string; ended_at: string | Date | null }[];
    };
    const endedAt = new Map(rows.rows.map((r) => [r.id, r.ended_at === null ? null : new Date(r.ended_at).getTime()]));
    for (const sid of ids) {
      const ended = endedAt.get(sid);
      // No row, or ended before the scan began (ended after it: Redis let it go after its page was read).
      if (ended === undefined || (ended !== null && ended <= nowMs)) orphans += 1;
    }
  }
  // Missing: PostgreSQL's sessions live at the scan's start, a page at a time along the live
  // index (license, expiry), in its order, so a page reads only its own rows (ordering by
  // expiry and ID too sorted every later row of the license for each page). Sessions sharing
  // the expiry a page ends on are read apart, by ID. Expiries are carried as PostgreSQL's own
  // text, so a cursor never loses the microseconds a JavaScript date would drop.
  // Sessions started after the scan began are left out, by PostgreSQL: their seats may sit on Redis
  // pages already read. (Read out instead, 100,000 start times parsed into dates took most of a pass.)
  const scanStart = new Date(nowMs).toISOString();
  const absent = new Set<string>();
  const count = (rows: { id: string }[]) => {
    for (const p of rows) {
      // A longer expiry in PostgreSQL than in Redis is only conservative (a shortened lease not yet copied).
      const exp = inRedis.get(p.id);
      // A set: a row whose expiry moved on while the pages were read may be met twice.
      if (exp === undefined || exp <= nowMs) absent.add(p.id);
    }
  };
  let after = scanStart;
  for (;;) {
    const page = (await core.o.db.execute(
      sql`select id, expires_at::text as exp_key from sessions where license_id = ${licenseId} and ended_at is null and started_at <= ${scanStart}::timestamptz and expires_at > ${after}::timestamptz order by expires_at limit ${PG_PAGE}`,
    )) as unknown as { rows: { id: string; exp_key: string }[] };
    const last = page.rows[page.rows.length - 1];
    if (!last || page.rows.length < PG_PAGE) {
      count(page.rows);
      break;
    }
    // The last expiry's sessions may go on past this page: they are read together below.
    count(page.rows.filter((r) => r.exp_key !== last.exp_key));
    let id = '';
    for (;;) {
      const tied = (await core.o.db.execute(
        sql`select id from sessions where license_id = ${licenseId} and ended_at is null and started_at <= ${scanStart}::timestamptz and expires_at = ${last.exp_key}::timestamptz and id > ${id} order by id limit ${PG_PAGE}`,
      )) as unknown as { rows: { id: string }[] };
      count(tied.rows);
      const lastTied = tied.rows[tied.rows.length - 1];
      if (!lastTied || tied.rows.length < PG_PAGE) break;
      id = lastTied.id;
    }
    after = last.exp_key;
  }
  return { orphans, missing: absent.size, epoch: epoch ?? '' };
}
