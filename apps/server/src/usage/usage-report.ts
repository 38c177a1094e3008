import type { LicenseUsage, UsageSummary } from '@leasehold/protocol/schemas';
import { and, asc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { licenseSeatHistory, licenses, plans, seatUsageHourly } from '../db/schema.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { HOUR_MS, hourOf } from './hour-buckets.js';
import { capacity } from './seat-capacity.js';

const DAY_MS = 24 * HOUR_MS;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Reads the rollup: never the sessions themselves. Utilisation is against the seats sold in force at the time. */
export class UsageReport {
  constructor(private readonly deps: { db: Db }) {}

  /** One license's buckets over [from, to), every bucket present (zero where nothing happened). */
  async license(licenseId: string, seats: number, q: { from: string; to: string; granularity: 'hour' | 'day' }): Promise<LicenseUsage> {
    const step = q.granularity === 'hour' ? HOUR_MS : DAY_MS;
    const from = q.granularity === 'hour' ? hourOf(Date.parse(q.from)) : Math.floor(Date.parse(q.from) / DAY_MS) * DAY_MS;
    const to = Date.parse(q.to);
    const [rows, history] = await Promise.all([
      this.deps.db
        .select()
        .from(seatUsageHourly)
        .where(and(eq(seatUsageHourly.licenseId, licenseId), gte(seatUsageHourly.hour, new Date(from)), lt(seatUsageHourly.hour, new Date(to)))),
      this.deps.db
        .select({ since: licenseSeatHistory.since, seats: licenseSeatHistory.seats })
        .from(licenseSeatHistory)
        .where(eq(licenseSeatHistory.licenseId, licenseId))
        .orderBy(asc(licenseSeatHistory.since)),
    ]);
    const sold = history.map((h) => ({ since: h.since.getTime(), seats: h.seats }));
    const buckets = new Map<number, { peak: number; seatSeconds: number; denials: number }>();
    for (let t = from; t < to; t += step) buckets.set(t, { peak: 0, seatSeconds: 0, denials: 0 });
    for (const r of rows) {
      const start = from + Math.floor((r.hour.getTime() - from) / step) * step;
      const b = buckets.get(start);
      if (!b) continue;
      b.peak = Math.max(b.peak, r.peak);
      b.seatSeconds += Number(r.seatSeconds);
      b.denials += r.denials;
    }
    return {
      licenseId,
      seats,
      granularity: q.granularity,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      buckets: [...buckets.entries()].map(([start, b]) => {
        const average = b.seatSeconds / (step / 1000);
        const inForce = capacity(sold, seats, start, start + step);
        return {
          start: new Date(start).toISOString(),
          seats: inForce.seats,
          peak: b.peak,
          average: round(average),
          denials: b.denials,
          utilisation: round(inForce.seatSeconds ? b.seatSeconds / inForce.seatSeconds : 0),
        };
      }),
    };
  }

  /** Per license over [from, to): most denials first, or least used first. */
  async summary(
    q: { from: string; to: string; order: 'denials' | 'utilisation'; limit: number; cursor?: string | undefined },
    scope: OrganisationScope,
  ): Promise<UsageSummary> {
    // A ranking, so the cursor is a position in it (ties broken by license ID, so pages do not overlap).
    const offset = Number(q.cursor ?? 0);
    const from = new Date(hourOf(Date.parse(q.from)));
    const to = new Date(q.to);
    const hours = Math.max(1, (to.getTime() - from.getTime()) / HOUR_MS);
    const seats = sql<number>`coalesce(${licenses.seatsOverride}, ${plans.seats})`;
    const sold = this.#soldSeatSeconds(from, to);
    // Without a history (a license made before there was one), today's seats over the whole range.
    const soldSeconds = sql<number>`coalesce(max(${sold.seatSeconds}), ${hours * 3600} * ${seats})`;
    const seatSeconds = sql<number>`coalesce(sum(${seatUsageHourly.seatSeconds}), 0)`;
    const denials = sql<number>`coalesce(sum(${seatUsageHourly.denials}), 0)`;
    const utilisation = sql<number>`${seatSeconds}::float8 / nullif(${soldSeconds}, 0)`;
    const rows = await this.deps.db
      .select({
        licenseId: licenses.id,
        organisationId: licenses.organisationId,
        seats,
        peak: sql<number>`coalesce(max(${seatUsageHourly.peak}), 0)`,
        seatSeconds,
        soldSeconds,
        denials,
      })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .leftJoin(sold, eq(sold.licenseId, licenses.id))
      .leftJoin(seatUsageHourly, and(eq(seatUsageHourly.licenseId, licenses.id), gte(seatUsageHourly.hour, from), lt(seatUsageHourly.hour, to)))
      .where(and(eq(licenses.status, 'active'), scope.organisationId ? eq(licenses.organisationId, scope.organisationId) : undefined))
      .groupBy(licenses.id, licenses.organisationId, licenses.seatsOverride, plans.seats)
      .orderBy(
        q.order === 'denials'
          ? sql`${denials} desc, ${utilisation} desc nulls last, ${licenses.id} asc`
          : sql`${utilisation} asc nulls first, ${licenses.id} asc`,
      )
      .offset(offset)
      .limit(q.limit + 1);
    const more = rows.length > q.limit;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      nextCursor: more ? String(offset + q.limit) : null,
      data: rows.slice(0, q.limit).map((r) => {
        const average = Number(r.seatSeconds) / (hours * 3600);
        return {
          licenseId: r.licenseId,
          organisationId: r.organisationId,
          seats: Number(r.seats),
          peak: Number(r.peak),
          average: round(average),
          denials: Number(r.denials),
          utilisation: round(Number(r.soldSeconds) ? Number(r.seatSeconds) / Number(r.soldSeconds) : 0),
        };
      }),
    };
  }

  /** Per license, the seat-seconds sold over [from, to): each seat count in force times how long it was. */
  #soldSeatSeconds(from: Date, to: Date) {
    const db = this.deps.db;
    const window = sql`over (partition by ${licenseSeatHistory.licenseId} order by ${licenseSeatHistory.since})`;
    const periods = db
      .select({
        licenseId: licenseSeatHistory.licenseId,
        seats: licenseSeatHistory.seats,
        // The first record holds for all time before it too.
        start: sql<Date>`case when lag(${licenseSeatHistory.since}) ${window} is null then '-infinity'::timestamptz else ${licenseSeatHistory.since} end`.as(
          'start',
        ),
        until: sql<Date>`coalesce(lead(${licenseSeatHistory.since}) ${window}, 'infinity'::timestamptz)`.as('until'),
      })
      .from(licenseSeatHistory)
      .as('periods');
    const a = sql`${from.toISOString()}::timestamptz`;
    const b = sql`${to.toISOString()}::timestamptz`;
    return db
      .select({
        licenseId: periods.licenseId,
        seatSeconds: sql<number>`sum(${periods.seats} * extract(epoch from (least(${periods.until}, ${b}) - greatest(${periods.start}, ${a}))))::float8`.as(
          'sold_seat_seconds',
        ),
      })
      .from(periods)
      .where(and(lt(periods.start, b), gt(periods.until, a)))
      .groupBy(periods.licenseId)
      .as('sold');
  }
}

/** CSV with a header row; values are numbers, IDs and ISO times, so nothing needs quoting. */
export function toCsv(columns: string[], rows: Array<Record<string, string | number>>): string {
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c] ?? '')).join(','))].join('\n')}\n`;
}
