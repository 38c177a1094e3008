import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { licenses, plans, products } from '../db/schema.js';
import * as rules from './seat-rules.js';
import type { LicenseRefusal, SeatTerms } from './seat-store.js';

export interface LockedLicense {
  terms: SeatTerms;
  keyHash: string;
  status: 'active' | 'suspended' | 'expired' | 'revoked';
  expiresAt: Date | null;
  maxBorrowSeconds: number;
}

/**
 * Reads a license with its plan's terms, locking the license row: `update` for
 * decisions that may take a seat, `share` for heartbeats that only keep one.
 */
export async function lockLicense(tx: Executor, licenseId: string, mode: 'update' | 'share'): Promise<LockedLicense | null> {
  return (await readLicenses(tx, [licenseId], mode)).get(licenseId) ?? null;
}

/**
 * Reads licenses with their plans' terms, in ID order, optionally locking the
 * license rows (always in the same order, so two batches never deadlock).
 */
export async function readLicenses(tx: Executor, licenseIds: string[], lock: 'update' | 'share' | null): Promise<Map<string, LockedLicense>> {
  if (licenseIds.length === 0) return new Map();
  const query = tx
    .select({
      id: licenses.id,
      organisationId: licenses.organisationId,
      keyHash: licenses.keyHash,
      status: licenses.status,
      expiresAt: licenses.expiresAt,
      seatsOverride: licenses.seatsOverride,
      overageOverride: licenses.overageOverride,
      entitlementsOverride: licenses.entitlementsOverride,
      seats: plans.seats,
      overage: plans.overage,
      seatBasis: plans.seatBasis,
      leaseTtlSeconds: plans.leaseTtlSeconds,
      heartbeatIntervalSeconds: plans.heartbeatIntervalSeconds,
      offlineGraceSeconds: plans.offlineGraceSeconds,
      maxBorrowSeconds: plans.maxBorrowSeconds,
      entitlements: plans.entitlements,
      productCode: products.code,
    })
    .from(licenses)
    .innerJoin(plans, eq(plans.id, licenses.planId))
    .innerJoin(products, eq(products.id, licenses.productId))
    .where(licenseIds.length === 1 ? eq(licenses.id, licenseIds[0] as string) : inArray(licenses.id, licenseIds))
    .orderBy(licenses.id);
  const rows = lock ? await query.for(lock, { of: licenses }) : await query;
  return new Map(
    rows.map((row) => [
      row.id,
      {
        keyHash: row.keyHash,
        status: row.status,
        expiresAt: row.expiresAt,
        maxBorrowSeconds: row.maxBorrowSeconds,
        terms: {
          licenseId: row.id,
          organisationId: row.organisationId,
          productCode: row.productCode,
          seats: row.seatsOverride ?? row.seats,
          overage: row.overageOverride ?? row.overage,
          seatBasis: row.seatBasis,
          leaseTtlSeconds: row.leaseTtlSeconds,
          heartbeatIntervalSeconds: row.heartbeatIntervalSeconds,
          offlineGraceSeconds: row.offlineGraceSeconds,
          entitlements: row.entitlementsOverride ?? row.entitlements,
        },
      },
    ]),
  );
}

/** Why a license cannot hold seats now, or null when it can (see seat-rules.ts). */
export function licenseRefusal(license: { status: string; expiresAt: Date | null }, now: Date): LicenseRefusal | null {
  return rules.licenseRefusal(license, now.getTime());
}

/** What one seat counts: every session, every machine, or every person. */
export function basisKey(basis: SeatTerms['seatBasis'], s: { sessionId: string; fingerprint: string; userId: string | null }): string {
  if (basis === 'session') return `s:${s.sessionId}`;
  // A user-basis seat without a signed-in user falls back to the machine.
  if (basis === 'user' && s.userId) return `u:${s.userId}`;
  return `m:${s.fingerprint}`;
}
