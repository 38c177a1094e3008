import type { Overview } from '@leasehold/protocol/schemas';
import type { Db } from '../db/database.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import { overviewRepository } from '../repositories/overview-repository.js';

/** A license is near capacity when this share of its seats is taken. */
const NEAR_CAPACITY = 0.8;

/** Seats in use against seats sold over active licenses, and the last day's denials and expiries. */
export async function readOverview(db: Db, now: Date, scope: OrganisationScope): Promise<Overview> {
  const org = scope.organisationId;
  const rows = await overviewRepository.seatsPerActiveLicense(db, now, org);
  const counts = await overviewRepository.lastDayCounts(db, now, org);
  const count = (action: string) => counts.find((r) => r.action === action)?.n ?? 0;
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
