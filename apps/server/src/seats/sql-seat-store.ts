import { newId } from '@leasehold/protocol/ids';
import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { matchesHash, randomSecret, sha256 } from '../crypto.js';
import type { Db, Executor, Tx } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../request-context.js';
import type { LeaseTokens } from '../tokens/lease-tokens.js';
import type {
  AcquireOutcome,
  AcquireSeat,
  BorrowOutcome,
  HeartbeatOutcome,
  LiveSession,
  OrganisationScope,
  ReleaseOutcome,
  SeatHolder,
  SeatStore,
  SeatTerms,
  SessionRef,
} from './seat-store.js';
import { basisKey, licenseRefusal, lockLicense } from './seat-terms.js';

export interface SqlSeatStoreDeps {
  db: Db;
  clock: Clock;
  tokens: LeaseTokens;
}

type SessionRow = typeof sessions.$inferSelect;

const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
const REAP_BATCH = 500;

/**
 * Seats counted in SQL: each decision that may take a seat runs in one transaction
 * holding a row lock on its license, so concurrent acquires of one license — from
 * any number of server processes — are decided one after another.
 */
export class SqlSeatStore implements SeatStore {
  readonly kind = 'sql';
  constructor(private readonly deps: SqlSeatStoreDeps) {}

  async acquire(req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const locked = await lockLicense(tx, req.licenseId, 'update');
      if (!locked) return { kind: 'license-refused', code: 'LICENSE_NOT_FOUND' } as const;
      const now = this.deps.clock.now();
      const { terms } = locked;
      const audit = (action: string, data: Record<string, unknown>, targetId: string | null = null) =>
        appendAudit(tx, ctx, now, [
          {
            action,
            organisationId: terms.organisationId,
            targetType: targetId ? 'session' : 'license',
            targetId: targetId ?? terms.licenseId,
            data: { licenseId: terms.licenseId, ...data },
          },
        ]);

      const refusal = licenseRefusal(locked, now);
      if (refusal) {
        await audit('seat.denied', { code: refusal, fingerprint: req.fingerprint });
        return { kind: 'license-refused', code: refusal } as const;
      }

      if (req.idempotencyKey) {
        const [earlier] = await tx
          .select()
          .from(sessions)
          .where(and(eq(sessions.licenseId, req.licenseId), eq(sessions.idempotencyKey, req.idempotencyKey)));
        if (earlier && earlier.fingerprint !== req.fingerprint) return { kind: 'idempotency-conflict' } as const;
        if (earlier && earlier.endedAt === null && earlier.expiresAt > now) {
          return this.#reuse(tx, earlier, terms, now);
        }
        // The earlier session ended: its key may start a new one.
        if (earlier) await tx.update(sessions).set({ idempotencyKey: null }).where(eq(sessions.id, earlier.id));
      }

      const sessionId = newId('session', now.getTime());
      const key = basisKey(terms.seatBasis, { sessionId, fingerprint: req.fingerprint, userId: req.userId });
      const { used, mine } = await countLive(tx, terms.licenseId, key, now);
      const capacity = terms.seats + terms.overage;
      if (!mine && used >= capacity) {
        const holders = await liveHolders(tx, terms.licenseId, now);
        await audit('seat.denied', { code: 'NO_SEAT_AVAILABLE', used, total: terms.seats, fingerprint: req.fingerprint });
        return { kind: 'no-seat', terms, seatsUsed: used, nextFreeAt: holders[0]?.expiresAt ?? null, holders } as const;
      }

      const secret = randomSecret();
      const expiresAt = addSeconds(now, terms.leaseTtlSeconds);
      const issued = await this.deps.tokens.issue(
        leaseFacts(terms, { sessionId, userId: req.userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil: null }),
        now,
      );
      await tx.insert(sessions).values({
        id: sessionId,
        licenseId: terms.licenseId,
        organisationId: terms.organisationId,
        userId: req.userId,
        basisKey: key,
        fingerprint: req.fingerprint,
        fingerprintComponents: req.fingerprintComponents,
        secretHash: sha256(secret),
        idempotencyKey: req.idempotencyKey,
        hostname: req.hostname,
        platform: req.platform,
        clientVersion: req.clientVersion,
        ip: req.ip,
        startedAt: now,
        lastHeartbeatAt: now,
        expiresAt,
        leaseToken: issued.token,
        leaseTokenRenewAt: issued.renewAt,
      });
      const seatsUsed = mine ? used : used + 1;
      await audit(
        'seat.granted',
        { basis: terms.seatBasis, sharedSeat: mine, overage: seatsUsed > terms.seats, seatsUsed, hostname: req.hostname, fingerprint: req.fingerprint },
        sessionId,
      );
      const session: LiveSession = {
        sessionId,
        userId: req.userId,
        fingerprint: req.fingerprint,
        startedAt: now,
        lastHeartbeatAt: now,
        expiresAt,
        borrowedUntil: null,
        terms,
        leaseToken: issued.token,
      };
      return { kind: 'granted', session, sessionSecret: secret, reused: false, seatsUsed } as const;
    });
  }

  /** A repeated acquire: the same session, renewed, with a new secret (the first answer may have been lost). */
  async #reuse(tx: Tx, row: SessionRow, terms: SeatTerms, now: Date): Promise<AcquireOutcome> {
    const secret = randomSecret();
    const expiresAt = maxDate(addSeconds(now, terms.leaseTtlSeconds), row.borrowedUntil);
    const issued = await this.deps.tokens.issue(leaseFacts(terms, { ...asFacts(row), expiresAt }), now);
    await tx
      .update(sessions)
      .set({ secretHash: sha256(secret), lastHeartbeatAt: now, expiresAt, leaseToken: issued.token, leaseTokenRenewAt: issued.renewAt })
      .where(eq(sessions.id, row.id));
    const { used } = await countLive(tx, terms.licenseId, row.basisKey, now);
    const session = toLive(row, terms, { lastHeartbeatAt: now, expiresAt, leaseToken: issued.token });
    return { kind: 'granted', session, sessionSecret: secret, reused: true, seatsUsed: used };
  }

  async heartbeat(ref: SessionRef, ctx: RequestContext): Promise<HeartbeatOutcome> {
    const first = await this.#heartbeatOnce(ref, ctx, 'share');
    // The lease ran out between the first look and the lock: decide again with the license locked for update.
    return first === 'retry-with-update-lock' ? (this.#heartbeatOnce(ref, ctx, 'update') as Promise<HeartbeatOutcome>) : first;
  }

  async #heartbeatOnce(ref: SessionRef, ctx: RequestContext, preferred: 'share' | 'update'): Promise<HeartbeatOutcome | 'retry-with-update-lock'> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' } as const;
      const looksExpired = row.endedAt !== null || row.expiresAt <= this.deps.clock.now();
      const mode = looksExpired ? 'update' : preferred;
      const locked = await lockLicense(tx, row.licenseId, mode);
      if (!locked) return { kind: 'not-found' } as const;
      const now = this.deps.clock.now();
      const { terms } = locked;
      const refusal = licenseRefusal(locked, now);
      if (refusal) {
        if (row.endedAt === null) {
          await tx.update(sessions).set({ endedAt: now, endReason: refusal.toLowerCase() }).where(eq(sessions.id, row.id));
          await appendAudit(tx, ctx, now, [sessionEvent('seat.ended', row, { reason: refusal })]);
        }
        return { kind: 'license-refused', code: refusal } as const;
      }

      const lapsed = row.endedAt !== null || row.expiresAt <= now;
      if (lapsed && mode === 'share') return 'retry-with-update-lock' as const;
      const events: AuditEntry[] = [];
      if (lapsed) {
        if (row.endedAt === null) events.push(sessionEvent('seat.expired', row, { expiredAt: row.expiresAt.toISOString() }));
        const { used, mine } = await countLive(tx, terms.licenseId, row.basisKey, now, row.id);
        if (!mine && used >= terms.seats + terms.overage) {
          if (row.endedAt === null) await tx.update(sessions).set({ endedAt: row.expiresAt, endReason: 'expired' }).where(eq(sessions.id, row.id));
          const holders = await liveHolders(tx, terms.licenseId, now);
          events.push(sessionEvent('seat.denied', row, { code: 'SESSION_EXPIRED', used, total: terms.seats }));
          await appendAudit(tx, ctx, now, events);
          return { kind: 'expired', seatsUsed: used, nextFreeAt: holders[0]?.expiresAt ?? null } as const;
        }
        events.push(sessionEvent('seat.reacquired', row, { sharedSeat: mine }));
      }

      const expiresAt = maxDate(addSeconds(now, terms.leaseTtlSeconds), row.borrowedUntil);
      let token = row.leaseToken;
      let renewAt = row.leaseTokenRenewAt;
      if (lapsed || !token || !renewAt || renewAt <= now) {
        const issued = await this.deps.tokens.issue(leaseFacts(terms, { ...asFacts(row), expiresAt }), now);
        token = issued.token;
        renewAt = issued.renewAt;
      }
      await tx
        .update(sessions)
        .set({ lastHeartbeatAt: now, expiresAt, endedAt: null, endReason: null, leaseToken: token, leaseTokenRenewAt: renewAt })
        .where(eq(sessions.id, row.id));
      await appendAudit(tx, ctx, now, events);
      return { kind: 'renewed', session: toLive(row, terms, { lastHeartbeatAt: now, expiresAt, leaseToken: token }), reacquired: lapsed } as const;
    });
  }

  async borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext): Promise<BorrowOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row || row.endedAt !== null) return { kind: 'not-found' } as const;
      const locked = await lockLicense(tx, row.licenseId, 'update');
      if (!locked) return { kind: 'not-found' } as const;
      const now = this.deps.clock.now();
      const refusal = licenseRefusal(locked, now);
      if (refusal) return { kind: 'license-refused', code: refusal } as const;
      if (row.expiresAt <= now) return { kind: 'expired', seatsUsed: 0, nextFreeAt: null } as const;
      if (durationSeconds > locked.maxBorrowSeconds) {
        return { kind: 'borrow-refused', maxBorrowSeconds: locked.maxBorrowSeconds } as const;
      }
      const borrowedUntil = addSeconds(now, durationSeconds);
      let expiresAt = maxDate(addSeconds(now, locked.terms.leaseTtlSeconds), borrowedUntil);
      if (locked.expiresAt && locked.expiresAt < expiresAt) expiresAt = locked.expiresAt;
      const until = new Date(Math.min(expiresAt.getTime(), borrowedUntil.getTime()));
      const issued = await this.deps.tokens.issue(leaseFacts(locked.terms, { ...asFacts(row), expiresAt, borrowedUntil: until }), now);
      await tx
        .update(sessions)
        .set({ lastHeartbeatAt: now, expiresAt, borrowedUntil: until, leaseToken: issued.token, leaseTokenRenewAt: issued.renewAt })
        .where(eq(sessions.id, row.id));
      await appendAudit(tx, ctx, now, [sessionEvent('seat.borrowed', row, { borrowedUntil: until.toISOString() })]);
      const session = toLive(row, locked.terms, { lastHeartbeatAt: now, expiresAt, leaseToken: issued.token, borrowedUntil: until });
      return { kind: 'borrowed', session } as const;
    });
  }

  async release(ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const row = await findSession(tx, ref);
      if (!row) return { kind: 'not-found' } as const;
      // Releasing twice is not an error: the caller's aim, a freed seat, holds.
      if (row.endedAt !== null) return { kind: 'released', sessionId: row.id } as const;
      return this.#end(tx, row, 'released', ctx);
    });
  }

  async forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const [row] = await tx.select().from(sessions).where(eq(sessions.id, sessionId)).for('update');
      const now = this.deps.clock.now();
      if (!row || row.endedAt !== null || row.expiresAt <= now) return { kind: 'not-found' } as const;
      if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' } as const;
      return this.#end(tx, row, 'force-released', ctx);
    });
  }

  async #end(tx: Tx, row: SessionRow, reason: 'released' | 'force-released', ctx: RequestContext): Promise<ReleaseOutcome> {
    const now = this.deps.clock.now();
    await tx.update(sessions).set({ endedAt: now, endReason: reason }).where(eq(sessions.id, row.id));
    await appendAudit(tx, ctx, now, [sessionEvent(`seat.${reason}`, row, { heldSeconds: Math.round((now.getTime() - row.startedAt.getTime()) / 1000) })]);
    return { kind: 'released', sessionId: row.id };
  }

  async reapExpired(ctx: RequestContext): Promise<number> {
    let total = 0;
    for (;;) {
      const reaped = await this.deps.db.transaction(async (tx) => {
        const now = this.deps.clock.now();
        // SKIP LOCKED: replicas reaping at once split the work instead of waiting on each other.
        const rows = await tx
          .select()
          .from(sessions)
          .where(and(isNull(sessions.endedAt), lte(sessions.expiresAt, now)))
          .orderBy(sessions.expiresAt)
          .limit(REAP_BATCH)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return 0;
        await tx
          .update(sessions)
          .set({ endedAt: sql`${sessions.expiresAt}`, endReason: 'expired' })
          .where(
            inArray(
              sessions.id,
              rows.map((r) => r.id),
            ),
          );
        await appendAudit(
          tx,
          ctx,
          now,
          rows.map((r) => sessionEvent('seat.expired', r, { expiredAt: r.expiresAt.toISOString() })),
        );
        return rows.length;
      });
      total += reaped;
      if (reaped < REAP_BATCH) return total;
    }
  }

  async seatsInUse(licenseIds: string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>(licenseIds.map((id) => [id, 0]));
    if (licenseIds.length === 0) return result;
    const rows = await this.deps.db
      .select({ licenseId: sessions.licenseId, used: sql<number>`count(distinct ${sessions.basisKey})::int` })
      .from(sessions)
      .where(and(inArray(sessions.licenseId, licenseIds), isNull(sessions.endedAt), gt(sessions.expiresAt, this.deps.clock.now())))
      .groupBy(sessions.licenseId);
    for (const row of rows) result.set(row.licenseId, Number(row.used));
    return result;
  }

  async close(): Promise<void> {}
}

async function findSession(tx: Executor, ref: SessionRef): Promise<SessionRow | null> {
  const [row] = await tx.select().from(sessions).where(eq(sessions.id, ref.sessionId));
  // A wrong secret answers as a missing session: session IDs are not to be probed.
  return row && matchesHash(ref.sessionSecret, row.secretHash) ? row : null;
}

/** Live seats of a license (distinct basis keys) and whether `key` already holds one. */
async function countLive(tx: Executor, licenseId: string, key: string, now: Date, excludeSessionId?: string) {
  const [row] = await tx
    .select({
      used: sql<number>`count(distinct ${sessions.basisKey})::int`,
      mine: sql<boolean>`coalesce(bool_or(${sessions.basisKey} = ${key}), false)`,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.licenseId, licenseId),
        isNull(sessions.endedAt),
        gt(sessions.expiresAt, now),
        excludeSessionId ? sql`${sessions.id} <> ${excludeSessionId}` : undefined,
      ),
    );
  return { used: Number(row?.used ?? 0), mine: Boolean(row?.mine) };
}

/** Who holds the seats, soonest to free first (at most ten), for a refused caller. */
async function liveHolders(tx: Executor, licenseId: string, now: Date): Promise<SeatHolder[]> {
  const rows = await tx
    .select({
      hostname: sql<string | null>`max(${sessions.hostname})`,
      userId: sql<string | null>`max(${sessions.userId})`,
      since: sql<string>`min(${sessions.startedAt})`,
      expiresAt: sql<string>`max(${sessions.expiresAt})`,
    })
    .from(sessions)
    .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, now)))
    .groupBy(sessions.basisKey)
    .orderBy(sql`max(${sessions.expiresAt})`)
    .limit(10);
  return rows.map((r) => ({ hostname: r.hostname, userId: r.userId, since: new Date(r.since), expiresAt: new Date(r.expiresAt) }));
}

function sessionEvent(action: string, row: SessionRow, data: Record<string, unknown>): AuditEntry {
  return { action, organisationId: row.organisationId, targetType: 'session', targetId: row.id, data: { licenseId: row.licenseId, ...data } };
}

function maxDate(a: Date, b: Date | null): Date {
  return b && b > a ? b : a;
}

interface SessionFacts {
  sessionId: string;
  userId: string | null;
  fingerprint: string;
  expiresAt: Date;
  borrowedUntil: Date | null;
}

function asFacts(row: SessionRow): SessionFacts {
  return { sessionId: row.id, userId: row.userId, fingerprint: row.fingerprint, expiresAt: row.expiresAt, borrowedUntil: row.borrowedUntil };
}

function leaseFacts(terms: SeatTerms, s: SessionFacts) {
  return {
    sessionId: s.sessionId,
    licenseId: terms.licenseId,
    organisationId: terms.organisationId,
    productCode: terms.productCode,
    userId: s.userId,
    fingerprint: s.fingerprint,
    entitlements: terms.entitlements,
    leaseExpiresAt: s.expiresAt,
    leaseTtlSeconds: terms.leaseTtlSeconds,
    offlineGraceSeconds: terms.offlineGraceSeconds,
    borrowedUntil: s.borrowedUntil,
  };
}

function toLive(
  row: SessionRow,
  terms: SeatTerms,
  changes: { lastHeartbeatAt: Date; expiresAt: Date; leaseToken: string; borrowedUntil?: Date | null },
): LiveSession {
  return {
    sessionId: row.id,
    userId: row.userId,
    fingerprint: row.fingerprint,
    startedAt: row.startedAt,
    lastHeartbeatAt: changes.lastHeartbeatAt,
    expiresAt: changes.expiresAt,
    borrowedUntil: changes.borrowedUntil === undefined ? row.borrowedUntil : changes.borrowedUntil,
    terms,
    leaseToken: changes.leaseToken,
  };
}
