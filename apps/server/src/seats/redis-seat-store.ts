import { newId } from '@leasehold/protocol/ids';
import { and, eq, isNull, lte } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RedisConnection, Scripts } from '../redis/connection.js';
import type { RequestContext } from '../request-context.js';
import { type IssuedToken, type LeaseTokens, leaseFacts } from '../tokens/lease-tokens.js';
import { LicenseTermsCache } from './license-terms-cache.js';
import { GrantRecorder } from './redis-grant-recorder.js';
import { HeartbeatWriter } from './redis-heartbeat-writer.js';
import { LicenseTermsLoader, statusRefusal } from './redis-license-terms.js';
import { RedisSeatKeys } from './redis-seat-keys.js';
import { rebuildLicense, unavailable } from './redis-seat-rebuild.js';
import { dateOrNull, endSession, findSession, licenseEvent, liveSession, orNull, type SessionRow, sessionEvent } from './redis-seat-records.js';
import type {
  AcquireOutcome,
  AcquireSeat,
  BorrowOutcome,
  HeartbeatOutcome,
  LicenseRefusal,
  OrganisationScope,
  ReleaseOutcome,
  SeatHolder,
  SeatStore,
  SessionRef,
} from './seat-store.js';
import type { LockedLicense } from './seat-terms.js';
import { basisKey } from './seat-terms.js';

export interface RedisSeatStoreOptions {
  connection: RedisConnection;
  /** Closed with the store when true. */
  ownsConnection?: boolean;
  db: Db;
  tokens: LeaseTokens;
  /** Prefix of every key, e.g. `leasehold:`. */
  keyPrefix: string;
  /**
   * For tests only: a clock whose time the scripts use instead of Redis `TIME`, so a
   * test can move time. Production leaves it unset: every replica then decides on
   * the one clock of Redis.
   */
  testClock?: Clock;
  /** How often routine heartbeats are copied to PostgreSQL (default 2 s). */
  heartbeatFlushMs?: number;
  /** How long heartbeats may use license terms read earlier, while change notifications are heard (default 5 s). */
  termsTtlMs?: number;
  /** How long Redis keeps a session after its lease ran out (default 1 h). */
  retentionMs?: number;
  onBackgroundError?: (error: unknown) => void;
}

type Reply = [string, number, ...unknown[]];
const REAP_BATCH = 500;
const SESSION_CACHE_LIMIT = 500_000;

/**
 * Seats decided in Redis by Lua scripts, recorded in PostgreSQL (the source of
 * truth). Each call: read the license terms from PostgreSQL (fresh, coalesced;
 * heartbeats use a copy in memory that change notifications keep current), let one
 * script decide and change Redis atomically, then record the session row
 * and its audit events in one PostgreSQL transaction — undoing the Redis change
 * when that fails. Routine heartbeats are copied to PostgreSQL in batches.
 */
export class RedisSeatStore implements SeatStore {
  readonly kind = 'redis';
  readonly #keys: RedisSeatKeys;
  readonly #terms: LicenseTermsLoader;
  /** Terms for heartbeats; see LicenseTermsCache for when it answers from memory. */
  readonly termsCache: LicenseTermsCache;
  readonly #writer: HeartbeatWriter;
  readonly #recorder: GrantRecorder;
  readonly #retentionMs: number;
  /** Session → license, so a heartbeat finds its license's keys without asking PostgreSQL. */
  readonly #licenseOf = new Map<string, string>();
  readonly #rebuilds = new Map<string, Promise<void>>();

  constructor(private readonly o: RedisSeatStoreOptions) {
    this.#keys = new RedisSeatKeys(o.keyPrefix);
    this.#terms = new LicenseTermsLoader(o.db);
    this.termsCache = new LicenseTermsCache(this.#terms, o.termsTtlMs ?? 5_000);
    this.#recorder = new GrantRecorder(o.db);
    this.#retentionMs = o.retentionMs ?? 3_600_000;
    this.#writer = new HeartbeatWriter(o.db, o.heartbeatFlushMs ?? 2_000, o.onBackgroundError ?? (() => {}));
  }

  async acquire(req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
    const locked = await this.#terms.load(req.licenseId);
    // A key rotated since the caller's lookup no longer opens the license.
    if (!locked || (req.keyHash !== null && req.keyHash !== locked.keyHash)) return { kind: 'license-refused', code: 'LICENSE_NOT_FOUND' };
    const { terms } = locked;
    const refused = statusRefusal(locked.status);
    if (refused) return this.#refuseAcquire(locked, refused, req, ctx, new Date(await this.#now()));

    const sessionId = newId('session', this.o.testClock?.now().getTime() ?? Date.now());
    const key = basisKey(terms.seatBasis, { sessionId, fingerprint: req.fingerprint, userId: req.userId });
    const secret = randomSecret();
    const reply = await this.#decide('lhAcquire', req.licenseId, [
      sessionId,
      key,
      req.fingerprint,
      req.userId ?? '',
      sha256(secret),
      terms.seats + terms.overage,
      terms.leaseTtlSeconds * 1000,
      locked.expiresAt?.getTime() ?? 0,
      this.#retentionMs,
      req.idempotencyKey ?? '',
      req.hostname ?? '',
      0,
      0,
      '',
      '',
      'acquire',
    ]);
    const now = new Date(reply[1]);
    switch (reply[0]) {
      case 'LICENSE_EXPIRED':
        return this.#refuseAcquire(locked, 'LICENSE_EXPIRED', req, ctx, now);
      case 'CONFLICT':
        return { kind: 'idempotency-conflict' };
      case 'NO_SEAT': {
        const used = Number(reply[2]);
        const holders = (reply[3] as string[][]).map(
          ([host, user, since, expires]): SeatHolder => ({
            hostname: orNull(host),
            userId: orNull(user),
            since: dateOrNull(since) ?? now,
            expiresAt: new Date(Number(expires)),
          }),
        );
        await this.#recorder.record({
          ctx,
          at: now,
          event: licenseEvent('seat.denied', terms, { code: 'NO_SEAT_AVAILABLE', used, total: terms.seats, fingerprint: req.fingerprint }),
        });
        return { kind: 'no-seat', terms, seatsUsed: used, nextFreeAt: holders[0]?.expiresAt ?? null, holders };
      }
      case 'REUSED':
        return this.#reuse(locked, req, reply, secret);
      case 'GRANTED':
        return this.#grant(locked, req, ctx, { sessionId, key, secret, now, reply });
      default:
        throw new Error(`unexpected acquire reply ${reply[0]}`);
    }
  }

  async #refuseAcquire(locked: LockedLicense, code: LicenseRefusal, req: AcquireSeat, ctx: RequestContext, now: Date): Promise<AcquireOutcome> {
    await this.#recorder.record({ ctx, at: now, event: licenseEvent('seat.denied', locked.terms, { code, fingerprint: req.fingerprint }) });
    return { kind: 'license-refused', code };
  }

  async #grant(
    locked: LockedLicense,
    req: AcquireSeat,
    ctx: RequestContext,
    g: { sessionId: string; key: string; secret: string; now: Date; reply: Reply },
  ): Promise<AcquireOutcome> {
    const { terms } = locked;
    const { sessionId, now } = g;
    const expiresAt = new Date(Number(g.reply[2]));
    const seatsUsed = Number(g.reply[3]);
    const sharedSeat = g.reply[4] === 1;
    let issued: IssuedToken;
    try {
      issued = await this.o.tokens.issue(
        leaseFacts(terms, { sessionId, userId: req.userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil: null }),
        now,
      );
      const recorded = await this.#recorder.record({
        ctx,
        at: now,
        ...(req.idempotencyKey ? { idempotency: { licenseId: terms.licenseId, key: req.idempotencyKey, fingerprint: req.fingerprint } } : {}),
        session: {
          id: sessionId,
          licenseId: terms.licenseId,
          organisationId: terms.organisationId,
          userId: req.userId,
          basisKey: g.key,
          fingerprint: req.fingerprint,
          fingerprintComponents: req.fingerprintComponents,
          secretHash: sha256(g.secret),
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
        },
        event: {
          action: 'seat.granted',
          organisationId: terms.organisationId,
          targetType: 'session',
          targetId: sessionId,
          data: {
            licenseId: terms.licenseId,
            basis: terms.seatBasis,
            sharedSeat,
            overage: seatsUsed > terms.seats,
            seatsUsed,
            hostname: req.hostname,
            fingerprint: req.fingerprint,
          },
        },
      });
      const conflict = recorded === 'idempotency-conflict';
      if (conflict) {
        await this.#undo(terms.licenseId, sessionId);
        return { kind: 'idempotency-conflict' };
      }
    } catch (error) {
      // PostgreSQL did not record the grant: give the seat back so Redis holds nothing PostgreSQL lacks.
      await this.#undo(terms.licenseId, sessionId).catch(() => {});
      throw error;
    }
    this.#remember(sessionId, terms.licenseId);
    await this.#storeToken(terms.licenseId, sessionId, issued);
    const session = liveSession(terms, {
      sessionId,
      userId: req.userId,
      fingerprint: req.fingerprint,
      startedAt: now,
      now,
      expiresAt,
      borrowedUntil: null,
      leaseToken: issued.token,
    });
    return { kind: 'granted', session, sessionSecret: g.secret, reused: false, seatsUsed };
  }

  /** A repeated idempotency key: the same session, renewed, with a new secret (the first answer may have been lost). */
  async #reuse(locked: LockedLicense, req: AcquireSeat, reply: Reply, secret: string): Promise<AcquireOutcome> {
    const [, nowMs, sessionId, expMs, used, user, started, , , bor] = reply;
    const now = new Date(nowMs);
    const expiresAt = new Date(Number(expMs));
    const borrowedUntil = dateOrNull(bor);
    const userId = orNull(user);
    const sid = String(sessionId);
    const issued = await this.o.tokens.issue(leaseFacts(locked.terms, { sessionId: sid, userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil }), now);
    this.#writer.forget(sid);
    await this.o.db
      .update(sessions)
      .set({ secretHash: sha256(secret), lastHeartbeatAt: now, expiresAt, leaseToken: issued.token, leaseTokenRenewAt: issued.renewAt })
      .where(eq(sessions.id, sid));
    this.#remember(sid, locked.terms.licenseId);
    await this.#storeToken(locked.terms.licenseId, sid, issued);
    const session = liveSession(locked.terms, {
      sessionId: sid,
      userId,
      fingerprint: req.fingerprint,
      startedAt: dateOrNull(started) ?? now,
      now,
      expiresAt,
      borrowedUntil,
      leaseToken: issued.token,
    });
    return { kind: 'granted', session, sessionSecret: secret, reused: true, seatsUsed: Number(used) };
  }

  async heartbeat(ref: SessionRef, ctx: RequestContext, retried = false): Promise<HeartbeatOutcome> {
    const licenseId = await this.#licenseOfSession(ref.sessionId);
    if (!licenseId) return { kind: 'not-found' };
    const locked = await this.termsCache.load(licenseId);
    if (!locked) return { kind: 'not-found' };
    const { terms } = locked;
    const refused = statusRefusal(locked.status);
    if (refused) return this.#endRefused(ref, locked, refused, ctx);
    const reply = await this.#decide('lhHeartbeat', licenseId, [
      ref.sessionId,
      sha256(ref.sessionSecret),
      terms.seats + terms.overage,
      terms.leaseTtlSeconds * 1000,
      locked.expiresAt?.getTime() ?? 0,
      this.#retentionMs,
    ]);
    const now = new Date(reply[1]);
    switch (reply[0]) {
      case 'NOT_FOUND':
        return this.#heartbeatFromPostgres(ref, locked, ctx, retried);
      case 'LICENSE_EXPIRED':
        return this.#recordRefusedEnd(ref.sessionId, terms.licenseId, terms.organisationId, 'LICENSE_EXPIRED', now, ctx);
      case 'EXPIRED': {
        const [, , expMs, used, nextFree] = reply;
        const row = { id: ref.sessionId, licenseId, organisationId: terms.organisationId };
        const expiredAt = new Date(Number(expMs));
        this.#forgetSession(ref.sessionId);
        await endSession(this.o.db, ctx, now, row, { endedAt: expiredAt, reason: 'expired' }, (wasLive) => [
          ...(wasLive ? [sessionEvent('seat.expired', row, { expiredAt: expiredAt.toISOString() })] : []),
          sessionEvent('seat.denied', row, { code: 'SESSION_EXPIRED', used: Number(used), total: terms.seats }),
        ]);
        return { kind: 'expired', seatsUsed: Number(used), nextFreeAt: dateOrNull(nextFree) };
      }
      case 'RENEWED':
        return this.#renewed(locked, ref, reply, ctx);
      default:
        throw new Error(`unexpected heartbeat reply ${reply[0]}`);
    }
  }

  async #renewed(locked: LockedLicense, ref: SessionRef, reply: Reply, ctx: RequestContext): Promise<HeartbeatOutcome> {
    const { terms } = locked;
    const [, nowMs, expMs, lapsedFlag, tok, ren, started, user, fingerprint, bor, oldExpMs] = reply;
    const now = new Date(nowMs);
    const expiresAt = new Date(Number(expMs));
    const lapsed = lapsedFlag === 1;
    const userId = orNull(user);
    const borrowedUntil = dateOrNull(bor);
    const facts = { sessionId: ref.sessionId, userId, fingerprint: String(fingerprint), expiresAt, borrowedUntil };
    let token = orNull(tok);
    let issued: IssuedToken | null = null;
    const renewAt = dateOrNull(ren);
    if (lapsed || !token || !renewAt || renewAt <= now) {
      issued = await this.o.tokens.issue(leaseFacts(terms, facts), now);
      token = issued.token;
    }
    if (lapsed) {
      // Taking a seat again is a decision: recorded now, with its events, or undone.
      const row = { id: ref.sessionId, licenseId: terms.licenseId, organisationId: terms.organisationId };
      try {
        await this.#recordReacquire(row, ctx, now, { expiresAt, token, renewAt: issued?.renewAt ?? renewAt, oldExpiresAt: new Date(Number(oldExpMs)) });
      } catch (error) {
        await this.#undo(terms.licenseId, ref.sessionId).catch(() => {});
        throw error;
      }
    } else {
      this.#writer.record(ref.sessionId, { lastHeartbeatAt: now, expiresAt, token: issued?.token ?? null, renewAt: issued?.renewAt ?? null });
    }
    if (issued) await this.#storeToken(terms.licenseId, ref.sessionId, issued);
    // Spelled out, not spread from facts: on every heartbeat the spread showed in the profile (~4% of CPU).
    const session = liveSession(terms, {
      sessionId: facts.sessionId,
      userId,
      fingerprint: facts.fingerprint,
      expiresAt,
      borrowedUntil,
      startedAt: dateOrNull(started) ?? now,
      now,
      leaseToken: token,
    });
    return { kind: 'renewed', session, reacquired: lapsed };
  }

  async #recordReacquire(
    row: { id: string; licenseId: string; organisationId: string },
    ctx: RequestContext,
    now: Date,
    s: { expiresAt: Date; token: string; renewAt: Date | null; oldExpiresAt: Date; sharedSeat?: boolean },
  ): Promise<void> {
    this.#writer.forget(row.id);
    await this.o.db.transaction(async (tx) => {
      const [before] = await tx.select({ endedAt: sessions.endedAt }).from(sessions).where(eq(sessions.id, row.id)).for('update');
      await tx
        .update(sessions)
        .set({ lastHeartbeatAt: now, expiresAt: s.expiresAt, endedAt: null, endReason: null, leaseToken: s.token, leaseTokenRenewAt: s.renewAt })
        .where(eq(sessions.id, row.id));
      await appendAudit(tx, ctx, now, [
        ...(before && before.endedAt === null ? [sessionEvent('seat.expired', row, { expiredAt: s.oldExpiresAt.toISOString() })] : []),
        sessionEvent('seat.reacquired', row, { sharedSeat: s.sharedSeat ?? false }),
      ]);
    });
  }

  /**
   * Redis does not know the session: it was lost with Redis's data, left out of a
   * rebuild, or reaped. PostgreSQL decides whether it exists; Redis whether a seat is free.
   */
  async #heartbeatFromPostgres(ref: SessionRef, locked: LockedLicense, ctx: RequestContext, retried: boolean): Promise<HeartbeatOutcome> {
    const row = await findSession(this.o.db, ref);
    if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' };
    const { terms } = locked;
    const reply = await this.#readmit(row, locked);
    const now = new Date(reply[1]);
    switch (reply[0]) {
      case 'EXISTS':
        // Another replica re-admitted it a moment ago.
        if (retried) throw unavailable();
        return this.heartbeat(ref, ctx, true);
      case 'LICENSE_EXPIRED':
        return this.#recordRefusedEnd(row.id, row.licenseId, row.organisationId, 'LICENSE_EXPIRED', now, ctx);
      case 'NO_SEAT': {
        const used = Number(reply[2]);
        const holders = reply[3] as string[][];
        await endSession(this.o.db, ctx, now, row, { endedAt: row.expiresAt < now ? row.expiresAt : now, reason: 'expired' }, (wasLive) => [
          ...(wasLive ? [sessionEvent('seat.expired', row, { expiredAt: row.expiresAt.toISOString() })] : []),
          sessionEvent('seat.denied', row, { code: 'SESSION_EXPIRED', used, total: terms.seats }),
        ]);
        return { kind: 'expired', seatsUsed: used, nextFreeAt: holders[0] ? new Date(Number(holders[0][3])) : null };
      }
      case 'GRANTED': {
        const expiresAt = new Date(Number(reply[2]));
        const lapsed = row.endedAt !== null || row.expiresAt <= now;
        const facts = { sessionId: row.id, userId: row.userId, fingerprint: row.fingerprint, expiresAt, borrowedUntil: row.borrowedUntil };
        let token = row.leaseToken;
        let renewAt = row.leaseTokenRenewAt;
        if (lapsed || !token || !renewAt || renewAt <= now) {
          const issued = await this.o.tokens.issue(leaseFacts(terms, facts), now);
          token = issued.token;
          renewAt = issued.renewAt;
          await this.#storeToken(row.licenseId, row.id, issued);
        }
        try {
          if (lapsed) {
            await this.#recordReacquire(row, ctx, now, { expiresAt, token, renewAt, oldExpiresAt: row.expiresAt, sharedSeat: reply[4] === 1 });
          } else {
            this.#writer.record(row.id, { lastHeartbeatAt: now, expiresAt, token, renewAt });
          }
        } catch (error) {
          await this.#undo(row.licenseId, row.id).catch(() => {});
          throw error;
        }
        this.#remember(row.id, row.licenseId);
        const session = liveSession(terms, { ...facts, startedAt: row.startedAt, now, leaseToken: token });
        return { kind: 'renewed', session, reacquired: lapsed };
      }
      default:
        throw new Error(`unexpected readmit reply ${reply[0]}`);
    }
  }

  #readmit(row: SessionRow, locked: LockedLicense): Promise<Reply> {
    const { terms } = locked;
    return this.#decide('lhAcquire', row.licenseId, [
      row.id,
      row.basisKey,
      row.fingerprint,
      row.userId ?? '',
      row.secretHash,
      terms.seats + terms.overage,
      terms.leaseTtlSeconds * 1000,
      locked.expiresAt?.getTime() ?? 0,
      this.#retentionMs,
      '',
      row.hostname ?? '',
      row.borrowedUntil?.getTime() ?? 0,
      row.startedAt.getTime(),
      row.leaseToken ?? '',
      row.leaseTokenRenewAt?.getTime() ?? '',
      'readmit',
    ]);
  }

  /** Suspended, revoked or expired: the session ends at this heartbeat. */
  async #endRefused(ref: SessionRef, locked: LockedLicense, code: LicenseRefusal, ctx: RequestContext): Promise<HeartbeatOutcome> {
    const { licenseId, organisationId } = locked.terms;
    const reply = await this.#decide('lhEnd', licenseId, [ref.sessionId, sha256(ref.sessionSecret), '0']);
    if (reply[0] === 'NOT_FOUND') {
      const row = await findSession(this.o.db, ref);
      if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' };
    }
    return this.#recordRefusedEnd(ref.sessionId, licenseId, organisationId, code, new Date(reply[1]), ctx);
  }

  async #recordRefusedEnd(
    sessionId: string,
    licenseId: string,
    organisationId: string,
    code: LicenseRefusal,
    now: Date,
    ctx: RequestContext,
  ): Promise<HeartbeatOutcome> {
    const row = { id: sessionId, licenseId, organisationId };
    this.#forgetSession(sessionId);
    await endSession(this.o.db, ctx, now, row, { endedAt: now, reason: code.toLowerCase() }, (wasLive) =>
      wasLive ? [sessionEvent('seat.ended', row, { reason: code })] : [],
    );
    return { kind: 'license-refused', code };
  }

  async borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext, retried = false): Promise<BorrowOutcome> {
    const licenseId = await this.#licenseOfSession(ref.sessionId);
    if (!licenseId) return { kind: 'not-found' };
    const locked = await this.#terms.load(licenseId);
    if (!locked) return { kind: 'not-found' };
    const refused = statusRefusal(locked.status);
    if (refused) return { kind: 'license-refused', code: refused };
    const { terms } = locked;
    const reply = await this.#decide('lhBorrow', licenseId, [
      ref.sessionId,
      sha256(ref.sessionSecret),
      durationSeconds * 1000,
      locked.maxBorrowSeconds * 1000,
      terms.leaseTtlSeconds * 1000,
      locked.expiresAt?.getTime() ?? 0,
      this.#retentionMs,
    ]);
    const now = new Date(reply[1]);
    switch (reply[0]) {
      case 'NOT_FOUND': {
        // Redis may have lost a live session: re-admit it, then borrow.
        if (retried) return { kind: 'not-found' };
        const beat = await this.#heartbeatFromPostgres(ref, locked, ctx, true);
        return beat.kind === 'renewed' ? this.borrow(ref, durationSeconds, ctx, true) : { kind: 'not-found' };
      }
      case 'LICENSE_EXPIRED':
        return { kind: 'license-refused', code: 'LICENSE_EXPIRED' };
      case 'EXPIRED':
        return { kind: 'expired', seatsUsed: 0, nextFreeAt: null };
      case 'BORROW_REFUSED':
        return { kind: 'borrow-refused', maxBorrowSeconds: locked.maxBorrowSeconds };
      case 'BORROWED': {
        const [, , expMs, tillMs, started, user, fingerprint] = reply;
        const expiresAt = new Date(Number(expMs));
        const borrowedUntil = new Date(Number(tillMs));
        const facts = { sessionId: ref.sessionId, userId: orNull(user), fingerprint: String(fingerprint), expiresAt, borrowedUntil };
        const issued = await this.o.tokens.issue(leaseFacts(terms, facts), now);
        const row = { id: ref.sessionId, licenseId, organisationId: terms.organisationId };
        this.#writer.forget(ref.sessionId);
        // Should this fail, Redis holds the seat until the borrow ends: more than recorded, never more than allowed.
        await this.o.db.transaction(async (tx) => {
          await tx
            .update(sessions)
            .set({ lastHeartbeatAt: now, expiresAt, borrowedUntil, leaseToken: issued.token, leaseTokenRenewAt: issued.renewAt })
            .where(eq(sessions.id, ref.sessionId));
          await appendAudit(tx, ctx, now, [sessionEvent('seat.borrowed', row, { borrowedUntil: borrowedUntil.toISOString() })]);
        });
        await this.#storeToken(licenseId, ref.sessionId, issued);
        return { kind: 'borrowed', session: liveSession(terms, { ...facts, startedAt: dateOrNull(started) ?? now, now, leaseToken: issued.token }) };
      }
      default:
        throw new Error(`unexpected borrow reply ${reply[0]}`);
    }
  }

  async release(ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
    const licenseId = await this.#licenseOfSession(ref.sessionId);
    if (!licenseId) return { kind: 'not-found' };
    const reply = await this.#decide('lhEnd', licenseId, [ref.sessionId, sha256(ref.sessionSecret), '0']);
    const row = await findSession(this.o.db, ref);
    if (!row) return { kind: 'not-found' };
    // Releasing twice is not an error: the caller's aim, a freed seat, holds.
    if (reply[0] === 'NOT_FOUND' && row.endedAt !== null) return { kind: 'released', sessionId: row.id };
    await this.#recordEnd(row, 'released', new Date(reply[1]), ctx);
    return { kind: 'released', sessionId: row.id };
  }

  async forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome> {
    const [row] = await this.o.db.select().from(sessions).where(eq(sessions.id, sessionId));
    if (!row || row.endedAt !== null) return { kind: 'not-found' };
    if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' };
    const reply = await this.#decide('lhEnd', row.licenseId, [sessionId, '', '1']);
    const now = new Date(reply[1]);
    // Not live in Redis and not by PostgreSQL's copy either: nothing to free.
    if (reply[0] === 'NOT_FOUND' && row.expiresAt <= now) return { kind: 'not-found' };
    await this.#recordEnd(row, 'force-released', now, ctx);
    return { kind: 'released', sessionId };
  }

  async #recordEnd(row: SessionRow, reason: 'released' | 'force-released', now: Date, ctx: RequestContext): Promise<void> {
    this.#forgetSession(row.id);
    await endSession(this.o.db, ctx, now, row, { endedAt: now, reason }, (wasLive) =>
      wasLive ? [sessionEvent(`seat.${reason}`, row, { heldSeconds: Math.round((now.getTime() - row.startedAt.getTime()) / 1000) })] : [],
    );
  }

  /**
   * Ends sessions whose lease ran out. PostgreSQL names the candidates (its copy of
   * the expiry is never later than Redis's); Redis says which really expired.
   */
  async reapExpired(ctx: RequestContext): Promise<number> {
    await this.#writer.flush().catch(() => {});
    let total = 0;
    for (;;) {
      const now = new Date(await this.#now());
      const reaped = await this.o.db.transaction(async (tx) => {
        // SKIP LOCKED: replicas reaping at once split the work instead of waiting on each other.
        const rows = await tx
          .select()
          .from(sessions)
          .where(and(isNull(sessions.endedAt), lte(sessions.expiresAt, now)))
          .orderBy(sessions.expiresAt)
          .limit(REAP_BATCH)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return { ended: 0, seen: 0 };
        const byLicense = new Map<string, SessionRow[]>();
        for (const row of rows) byLicense.set(row.licenseId, [...(byLicense.get(row.licenseId) ?? []), row]);
        const ended: { row: SessionRow; at: Date }[] = [];
        for (const [licenseId, group] of byLicense) {
          const reply = await this.#decide(
            'lhReap',
            licenseId,
            group.map((r) => r.id),
          );
          const states = reply[2] as [string, string, number][];
          for (const [i, [, state, expMs]] of states.entries()) {
            const row = group[i] as SessionRow;
            if (state === 'LIVE')
              await tx
                .update(sessions)
                .set({ expiresAt: new Date(expMs) })
                .where(eq(sessions.id, row.id));
            else ended.push({ row, at: state === 'EXPIRED' ? new Date(expMs) : row.expiresAt });
          }
        }
        for (const { row, at } of ended) {
          this.#forgetSession(row.id);
          await tx.update(sessions).set({ endedAt: at, endReason: 'expired' }).where(eq(sessions.id, row.id));
        }
        await appendAudit(
          tx,
          ctx,
          now,
          ended.map(({ row, at }) => sessionEvent('seat.expired', row, { expiredAt: at.toISOString() })),
        );
        return { ended: ended.length, seen: rows.length };
      });
      total += reaped.ended;
      if (reaped.seen < REAP_BATCH) return total;
    }
  }

  async seatsInUse(licenseIds: string[]): Promise<Map<string, number>> {
    const counts = await Promise.all(licenseIds.map(async (id) => [id, Number((await this.#decide('lhCount', id, []))[2])] as const));
    return new Map(counts);
  }

  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    if (this.o.ownsConnection) await this.o.connection.close();
  }

  /** Flushes heartbeats waiting to be copied to PostgreSQL (tests, shutdown). */
  flushHeartbeats(): Promise<void> {
    return this.#writer.flush();
  }

  // --- Redis plumbing -------------------------------------------------------

  #testNow(): string {
    return this.o.testClock ? String(this.o.testClock.now().getTime()) : '';
  }

  async #now(): Promise<number> {
    return Number(await this.o.connection.run('time', (c) => c.lhTime(this.#testNow())));
  }

  /** Runs a seat script; when the license's seat state is missing, rebuilds it from PostgreSQL first. */
  async #decide(command: keyof Scripts, licenseId: string, args: (string | number)[]): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const base = this.#keys.base(licenseId);
      const reply = (await this.o.connection.run(command, (c) => c[command](`${base}epoch`, `${base}seats`, this.#testNow(), base, ...args))) as Reply;
      if (reply[0] !== 'REBUILD') return reply;
      if (attempt >= 3) throw unavailable();
      await this.#rebuild(licenseId);
    }
  }

  #rebuild(licenseId: string): Promise<void> {
    let running = this.#rebuilds.get(licenseId);
    if (!running) {
      // No flush of queued heartbeats first: the reaper may rebuild while it holds row locks a flush
      // could wait on, and rebuildLicense needs no copy fresher than one flush interval.
      running = rebuildLicense(
        {
          connection: this.o.connection,
          db: this.o.db,
          keys: this.#keys,
          retentionMs: this.#retentionMs,
          now: () => this.#now(),
          capacity: async (id) => {
            const locked = await this.#terms.load(id);
            return locked ? locked.terms.seats + locked.terms.overage : 0;
          },
        },
        licenseId,
      ).finally(() => this.#rebuilds.delete(licenseId));
      this.#rebuilds.set(licenseId, running);
    }
    return running;
  }

  async #undo(licenseId: string, sessionId: string): Promise<void> {
    this.#forgetSession(sessionId);
    await this.#decide('lhEnd', licenseId, [sessionId, '', '0']);
  }

  async #storeToken(licenseId: string, sessionId: string, issued: IssuedToken): Promise<void> {
    // Best effort: without it, the next heartbeat signs a new token.
    await this.o.connection
      .run('settoken', (c) => c.lhSetToken(this.#keys.session(licenseId, sessionId), issued.token, issued.renewAt.getTime()))
      .catch(() => {});
  }

  #remember(sessionId: string, licenseId: string): void {
    if (this.#licenseOf.size >= SESSION_CACHE_LIMIT) this.#licenseOf.clear();
    this.#licenseOf.set(sessionId, licenseId);
  }

  #forgetSession(sessionId: string): void {
    this.#licenseOf.delete(sessionId);
    this.#writer.forget(sessionId);
  }

  async #licenseOfSession(sessionId: string): Promise<string | null> {
    const known = this.#licenseOf.get(sessionId);
    if (known) return known;
    const [row] = await this.o.db.select({ licenseId: sessions.licenseId }).from(sessions).where(eq(sessions.id, sessionId));
    if (row) this.#remember(sessionId, row.licenseId);
    return row?.licenseId ?? null;
  }
}
