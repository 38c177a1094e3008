import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';

type Rows<T> = { rows: T[] };

/** The last day's denials and expiries: read through the (action, at) index, not by scanning the audit log. */
export function lastDayCounts(now: Date, organisationId: string | null | undefined): SQL {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const auditOrg = organisationId ? sql`and organisation_id = ${organisationId}` : sql``;
  return sql`
    select action, count(*)::int as n from audit_events
    where action in ('seat.denied', 'seat.expired') and at > ${since}::timestamptz ${auditOrg}
    group by action`;
}

/** The dashboard overview's reads: seats per active license and the last day's counts. */
export const overviewRepository = {
  async seatsPerActiveLicense(db: Executor, now: Date, organisationId: string | null | undefined) {
    const orgFilter = organisationId ? sql`and l.organisation_id = ${organisationId}` : sql``;
    const result = (await db.execute(sql`
      with used as (
        select license_id, count(distinct basis_key)::int as in_use from sessions
        where ended_at is null and expires_at > ${now.toISOString()}::timestamptz group by license_id
      )
      select l.id, l.organisation_id, coalesce(l.seats_override, p.seats)::int as seats, coalesce(u.in_use, 0)::int as in_use
      from licenses l join plans p on p.id = l.plan_id left join used u on u.license_id = l.id
      where l.status = 'active' ${orgFilter}
    `)) as unknown as Rows<{ id: string; organisation_id: string; seats: number; in_use: number }>;
    return result.rows.map((r) => ({ ...r, seats: Number(r.seats), in_use: Number(r.in_use) }));
  },

  async lastDayCounts(db: Executor, now: Date, organisationId: string | null | undefined) {
    const result = (await db.execute(lastDayCounts(now, organisationId))) as unknown as Rows<{ action: string; n: number }>;
    return result.rows.map((r) => ({ action: r.action, n: Number(r.n) }));
  },
};
