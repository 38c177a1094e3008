import type { License, LicenseQuery } from '@leasehold/protocol/schemas';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { Metrics } from './metrics.js';

/** What the gauges read: the dependencies to probe, the active licenses, the seat queues' lengths. */
export interface GaugeSources {
  metrics: Metrics;
  readiness: { name: string; check(): Promise<void> }[];
  licenses: { list(query: LicenseQuery, scope: OrganisationScope): Promise<{ data: License[]; nextCursor: string | null }> };
  seatQueue: { lengths(): Promise<Map<string, number>> };
}

/**
 * The seat metrics service: refreshes the gauges a scrape reads, so /metrics never waits on PostgreSQL or
 * Redis: one up/down per dependency, then seats per active license and its seat queue. When the
 * database cannot be read the previous seat and queue values stay (with their refresh
 * timestamp), rather than vanishing mid-outage.
 */
export class SeatGauges {
  constructor(private readonly sources: GaugeSources) {}

  /** Never throws: a dependency that is down shows as down. */
  refresh(timeoutMs = 2_000): Promise<void> {
    return refreshGauges(this.sources, timeoutMs);
  }
}

async function refreshGauges(services: GaugeSources, timeoutMs: number): Promise<void> {
  const { metrics } = services;
  const up: Record<string, boolean> = {};
  await Promise.all(
    services.readiness.map(async (dependency) => {
      up[dependency.name] = await withTimeout(dependency.check(), timeoutMs).then(
        () => true,
        () => false,
      );
      metrics.dependencyUp.set({ dependency: dependency.name }, up[dependency.name] ? 1 : 0);
    }),
  );
  if (up.database === false) return;
  const seats: { id: string; inUse: number; total: number }[] = [];
  let waiting = new Map<string, number>();
  try {
    waiting = await services.seatQueue.lengths();
    let cursor: string | undefined;
    do {
      const page = await services.licenses.list({ limit: 500, status: 'active', ...(cursor ? { cursor } : {}) }, { organisationId: null });
      for (const license of page.data) seats.push({ id: license.id, inUse: license.seatsInUse, total: license.seats });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  } catch {
    return;
  }
  metrics.seatsInUse.reset();
  metrics.seatsTotal.reset();
  metrics.queueWaiting.reset();
  for (const [id, count] of waiting) metrics.queueWaiting.set({ license_id: id }, count);
  for (const { id, inUse, total } of seats) {
    metrics.seatsInUse.set({ license_id: id }, inUse);
    metrics.seatsTotal.set({ license_id: id }, total);
  }
  metrics.gaugesRefreshed.setToCurrentTime();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
