import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { ciMappings, ciSeats, licenses, products, sessions } from '../db/schema.js';

export type CiMappingRow = typeof ciMappings.$inferSelect;
export type CiSeatRow = typeof ciSeats.$inferSelect;

/** A place in a rule's CI pool: a reservation, or the marker of the session that holds it. */
export interface CiPoolHolder {
  fingerprint: string;
  sessionId: string | null;
  licenseId: string;
  reservedUntil: Date;
  /** The open session's expiry as its row has it; null for a reservation or an ended session. */
  expiresAt: Date | null;
}

/** The rules that map CI jobs to licenses, and the CI seats (pool places) taken through them. */
export const ciRepository = {
  async insertMapping(db: Executor, row: CiMappingRow): Promise<void> {
    await db.insert(ciMappings).values(row);
  },

  /** Up to `limit` rules in ID order after `cursor`; of one organisation or license when those are set. */
  async pageOfMappings(
    db: Executor,
    query: { limit: number; cursor?: string | undefined; organisationId?: string | null | undefined; licenseId?: string | undefined },
  ): Promise<CiMappingRow[]> {
    return db
      .select()
      .from(ciMappings)
      .where(
        and(
          query.organisationId ? eq(ciMappings.organisationId, query.organisationId) : undefined,
          query.licenseId ? eq(ciMappings.licenseId, query.licenseId) : undefined,
          query.cursor ? gt(ciMappings.id, query.cursor) : undefined,
        ),
      )
      .orderBy(asc(ciMappings.id))
      .limit(query.limit);
  },

  /** Deletes a rule, only of this organisation when one is given; null when there is none such. */
  async deleteMapping(db: Executor, id: string, organisationId: string | null | undefined): Promise<CiMappingRow | null> {
    const [row] = await db
      .delete(ciMappings)
      .where(and(eq(ciMappings.id, id), organisationId ? eq(ciMappings.organisationId, organisationId) : undefined))
      .returning();
    return row ?? null;
  },

  /** The rules of this issuer for licenses of this product. */
  async mappingsOfProduct(db: Executor, issuer: string, productCode: string): Promise<CiMappingRow[]> {
    const rows = await db
      .select({ mapping: ciMappings })
      .from(ciMappings)
      .innerJoin(licenses, eq(licenses.id, ciMappings.licenseId))
      .innerJoin(products, eq(products.id, licenses.productId))
      .where(and(eq(ciMappings.issuer, issuer), eq(products.code, productCode)));
    return rows.map((r) => r.mapping);
  },

  /** Locks a rule's row (`for update`) until the transaction ends: its pool's places are decided one at a time. */
  async lockMapping(tx: Executor, id: string): Promise<void> {
    await tx.select({ id: ciMappings.id }).from(ciMappings).where(eq(ciMappings.id, id)).for('update');
  },

  /** Drops a rule's markers of sessions that ended or expired before `before`, and reservations that lapsed before it. */
  async pruneSeats(tx: Executor, mappingId: string, before: Date): Promise<void> {
    await tx
      .delete(ciSeats)
      .where(
        and(
          eq(ciSeats.mappingId, mappingId),
          lt(ciSeats.createdAt, before),
          or(
            and(isNull(ciSeats.sessionId), lt(ciSeats.reservedUntil, before)),
            sql`exists (select 1 from ${sessions} where ${sessions.id} = ${ciSeats.sessionId} and (${sessions.endedAt} < ${before} or ${sessions.expiresAt} < ${before}))`,
          ),
        ),
      );
  },

  /**
   * The places of a rule's pool held by jobs other than `fingerprint`: reservations still
   * running at `now`, and markers of open sessions whose row expires after `expiredSince`.
   */
  async poolHolders(tx: Executor, mappingId: string, fingerprint: string, now: Date, expiredSince: Date): Promise<CiPoolHolder[]> {
    return tx
      .select({
        fingerprint: ciSeats.fingerprint,
        sessionId: ciSeats.sessionId,
        licenseId: ciSeats.licenseId,
        reservedUntil: ciSeats.reservedUntil,
        expiresAt: sessions.expiresAt,
      })
      .from(ciSeats)
      .leftJoin(sessions, and(eq(sessions.id, ciSeats.sessionId), isNull(sessions.endedAt)))
      .where(
        and(
          eq(ciSeats.mappingId, mappingId),
          sql`${ciSeats.fingerprint} <> ${fingerprint}`,
          or(and(isNull(ciSeats.sessionId), gt(ciSeats.reservedUntil, now)), gt(sessions.expiresAt, expiredSince)),
        ),
      );
  },

  async insertSeat(tx: Executor, row: CiSeatRow): Promise<void> {
    await tx.insert(ciSeats).values(row);
  },

  /** Turns a reservation into the marker of the session that took the seat. */
  async confirmSeat(tx: Executor, reservationId: string, sessionId: string, now: Date): Promise<void> {
    await tx.update(ciSeats).set({ sessionId, reservedUntil: now }).where(eq(ciSeats.id, reservationId));
  },

  /** Drops a reservation that never became a session's marker. */
  async cancelReservation(db: Executor, reservationId: string): Promise<void> {
    await db.delete(ciSeats).where(and(eq(ciSeats.id, reservationId), isNull(ciSeats.sessionId)));
  },
};
