import type { SeatBasis } from '@leasehold/protocol/schemas';

/** The terms that decide a seat, read under the license lock. */
export interface SeatTerms {
  licenseId: string;
  organisationId: string;
  productCode: string;
  seats: number;
  overage: number;
  seatBasis: SeatBasis;
  leaseTtlSeconds: number;
  heartbeatIntervalSeconds: number;
  offlineGraceSeconds: number;
  entitlements: string[];
}
