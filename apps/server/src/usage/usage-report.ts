import type { LicenseUsage, UsageSummary } from '@leasehold/protocol/schemas';
import type { Db } from '../db/database.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
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
      seatUsageRepository.hoursOf(this.deps.db, licenseId, new Date(from), new Date(to)),
      seatUsageRepository.seatHistoryOf(this.deps.db, licenseId),
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
    const rows = await seatUsageRepository.summaryRows(this.deps.db, {
      from,
      to,
      hours,
      order: q.order,
      organisationId: scope.organisationId,
      offset,
      limit: q.limit + 1,
    });
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
}

/** CSV with a header row; values are numbers, IDs and ISO times, so nothing needs quoting. */
export function toCsv(columns: string[], rows: Array<Record<string, string | number>>): string {
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c] ?? '')).join(','))].join('\n')}\n`;
}
