import type { Overview } from '@leasehold/protocol/schemas';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';

type Rows<T> = { rows: T[] };

/** A license is near capacity when this share of its seats is taken. */
const NEAR_CAPACITY = 0.8;

/** The last day's denials and expiries: read through the (action, at) index, not by scanning the audit log. */
export function lastDayCounts(now: Date, organisationId: string | null | undefined): SQL {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const auditOrg = organisationId ? sql`and organisation_id = ${organisationId}` : sql``;
  return sql`
    select action, count(*)::int as n from audit_events
    where action in ('seat.denied', 'seat.expired') and at > ${since}::timestamptz ${auditOrg}
    group by action`;
}

/** Seats in use against seats sold over active licenses, and the last day's denials and expiries. */
export async function readOverview(db: Db, now: Date, scope: OrganisationScope): Promise<Overview> {
  const org = scope.organisationId;
  const orgFilter = org ? sql`and l.organisation_id = ${org}` : sql``;
  const perLicense = (await db.execute(sql`
    with used as (
      select license_id, count(distinct basis_key)::int as in_use from sessions
      where ended_at is null and expires_at > ${now.toISOString()}::timestamptz group by license_id
    )
    select l.id, l.organisation_id, coalesce(l.seats_override, p.seats)::int as seats, coalesce(u.in_use, 0)::int as in_use
    from licenses l join plans p on p.id = l.plan_id left join used u on u.license_id = l.id
    where l.status = 'active' ${orgFilter}
  `)) as unknown as Rows<{ id: string; organisation_id: string; seats: number; in_use: number }>;
  const counts = (await db.execute(lastDayCounts(now, org))) as unknown as Rows<{ action: string; n: number }>;
  const count = (action: string) => Number(counts.rows.find((r) => r.action === action)?.n ?? 0);
  const rows = perLicense.rows.map((r) => ({ ...r, seats: Number(r.seats), in_use: Number(r.in_use) }));
  return {
    activeLicenses: rows.length,
    seatsSold: rows.reduce((sum, r) => sum + r.seats, 0),
    seatsInUse: rows.reduce((sum, r) => sum + r.in_use, 0),
    denials24h: count('seat.denied'),
    expiries24h: count('seat.expired'),
    nearCapacity: rows
      .filter((r) => r.in_use >= r.seats * NEAR_CAPACITY)
      .sort((a, b) => b.in_use / b.seats - a.in_use / a.seats)
      .slice(0, 20)
      .map((r) => ({ licenseId: r.id, organisationId: r.organisation_id, seats: r.seats, seatsInUse: r.in_use })),
  };
}
