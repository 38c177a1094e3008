import { and, eq, isNull, lte } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import { sha256 } from '../crypto.js';
import type { Tx } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type IssuedToken, leaseFacts } from '../tokens/lease-tokens.js';
import { redisLeaseToken, storedFromRedis } from '../tokens/stored-lease-token.js';
import { commitDecision, failed, RowMissing } from './redis-commit.js';
import { statusRefusal } from './redis-license-terms.js';
import type { RedisSeatCore, Reply } from './redis-seat-core.js';
import { unavailable } from './redis-seat-rebuild.js';
import { dateOrNull, endSession, findSession, liveSession, orNull, rawDigest, type SessionRow, sessionEvent } from './redis-seat-records.js';
import { capacity, seatPayload, tokenDue } from './seat-rules.js';
import type { BorrowOutcome, HeartbeatOutcome, LicenseRefusal, SessionRef } from './seat-store.js';
import type { LockedLicense } from './seat-terms.js';

// Keeping a seat on the Redis store: heartbeats (renewing, or taking the seat again
// after a lapse or a loss of Redis's data) and borrows. A routine heartbeat reuses
// the token it was last given until that token is due for renewal.

/** Where the heartbeat script's answer carries the stored token, as bytes (see redisLeaseToken). */
const RENEWED_TOKEN_AT = 5;

export async function heartbeat(core: RedisSeatCore, ref: SessionRef, ctx: RequestContext, retried = false): Promise<HeartbeatOutcome> {
  const licenseId = await core.licenseOfSession(ref.sessionId);
  if (!licenseId) return { kind: 'not-found' };
  const locked = await core.termsCache.load(licenseId);
  if (!locked) return { kind: 'not-found' };
  const { terms } = locked;
  const refused = statusRefusal(locked.status);
  if (refused) return endRefused(core, ref, locked, refused, ctx);
  const reply = await core.decide(
    'lhHeartbeat',
    licenseId,
    [ref.sessionId, sha256(ref.sessionSecret), capacity(terms), terms.leaseTtlSeconds * 1000, locked.expiresAt?.getTime() ?? 0, core.retentionMs],
    RENEWED_TOKEN_AT,
  );
  const now = new Date(reply[1]);
  switch (reply[0]) {
    case 'NOT_FOUND':
      return heartbeatFromPostgres(core, ref, locked, ctx, retried);
    case 'LICENSE_EXPIRED':
      return recordRefusedEnd(core, ref.sessionId, terms.licenseId, terms.organisationId, 'LICENSE_EXPIRED', now, ctx);
    case 'EXPIRED': {
      const [, , expMs, used, nextFree] = reply;
      const row = { id: ref.sessionId, licenseId, organisationId: terms.organisationId };
      const expiredAt = new Date(Number(expMs));
      core.forgetSession(ref.sessionId);
      await endSession(core.o.db, ctx, now, row, { endedAt: expiredAt, reason: 'expired' }, (wasLive) => [
        ...(wasLive ? [sessionEvent('seat.expired', row, seatPayload.expired(expiredAt.getTime()))] : []),
        sessionEvent('seat.denied', row, seatPayload.sessionExpired(terms, Number(used))),
      ]);
      return { kind: 'expired', seatsUsed: Number(used), nextFreeAt: dateOrNull(nextFree) };
    }
    case 'RENEWED':
      return renewed(core, locked, ref, reply, ctx);
    default:
      throw new Error(`unexpected heartbeat reply ${reply[0]}`);
  }
}

async function renewed(core: RedisSeatCore, locked: LockedLicense, ref: SessionRef, reply: Reply, ctx: RequestContext): Promise<HeartbeatOutcome> {
  const { terms } = locked;
  const [, nowMs, expMs, lapsedFlag, tok, ren, started, user, fingerprint, bor, oldExpMs, copyFlag] = reply;
  const now = new Date(nowMs);
  const expiresAt = new Date(Number(expMs));
  const lapsed = lapsedFlag === 1;
  const userId = orNull(user);
  const borrowedUntil = dateOrNull(bor);
  const facts = { sessionId: ref.sessionId, userId, fingerprint: String(fingerprint), expiresAt, borrowedUntil };
  // Null when the stored form no longer rebuilds the token it came from: then one is due.
  const stored = storedFromRedis(tok as Buffer);
  let token = stored ? core.o.tokens.restore(stored, leaseFacts(terms, facts)) : null;
  let issued: IssuedToken | null = null;
  const renewAt = dateOrNull(ren);
  const mustSign = lapsed || tokenDue(token, renewAt?.getTime() ?? null, now.getTime());
  const sign = async () => (mustSign ? core.o.tokens.issue(leaseFacts(terms, facts), now) : null);
  const row = { id: ref.sessionId, licenseId: terms.licenseId, organisationId: terms.organisationId };
  if (lapsed) {
    issued = await retakeLapsedSeat(core, row, reply, ctx, sign, { now, expiresAt, token, renewAt, oldExpiresAt: new Date(Number(oldExpMs)) });
  } else if (copyFlag === 2) {
    // PostgreSQL's confirmed expiry is no longer ahead: the promise waits for its copy.
    try {
      issued = await commitDecision(
        core,
        { licenseId: terms.licenseId, sessionId: ref.sessionId, reply, undo: false },
        sign,
        (tx, signed) => writeBeat(tx, ref.sessionId, { lastHeartbeatAt: now, expiresAt, token: signed?.token ?? null, renewAt: signed?.renewAt ?? null }),
        { expiresAt, version: now },
      );
    } catch (error) {
      if (!(error instanceof RowMissing)) throw error;
      // PostgreSQL has no live row for what Redis holds: PostgreSQL decides.
      await core.undo(terms.licenseId, ref.sessionId).catch(() => {});
      return heartbeatFromPostgres(core, ref, locked, ctx, true);
    }
  } else {
    issued = await sign();
    // Most heartbeats leave PostgreSQL alone: the script asks for a copy once its
    // expiry has less than half a lease left, or when a new token was due (signed above).
    // A token signed because the stored one no longer rebuilds is copied too.
    if (copyFlag === 1 || issued)
      core.writer.record(ref.sessionId, {
        licenseId: terms.licenseId,
        lastHeartbeatAt: now,
        expiresAt,
        token: issued?.token ?? null,
        renewAt: issued?.renewAt ?? null,
      });
    if (issued) await core.storeToken(terms.licenseId, ref.sessionId, issued);
  }
  if (issued) token = issued.token;
  if (!token) throw new Error('a renewed session has no lease token');
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

/**
 * Taking a seat again after a lapse (or a loss of Redis's data) is a decision like a
 * grant: signed and recorded now, with its events, through the commit protocol, or undone.
 */
function retakeLapsedSeat(
  core: RedisSeatCore,
  row: { id: string; licenseId: string; organisationId: string },
  reply: Reply,
  ctx: RequestContext,
  sign: () => Promise<IssuedToken | null>,
  s: { now: Date; expiresAt: Date; token: string | null; renewAt: Date | null; oldExpiresAt: Date; sharedSeat?: boolean },
): Promise<IssuedToken | null> {
  return commitDecision(
    core,
    { licenseId: row.licenseId, sessionId: row.id, reply, undo: true },
    sign,
    (tx, signed) =>
      recordReacquire(tx, core, row, ctx, s.now, {
        expiresAt: s.expiresAt,
        token: signed?.token ?? s.token ?? '',
        renewAt: signed?.renewAt ?? s.renewAt,
        oldExpiresAt: s.oldExpiresAt,
        sharedSeat: s.sharedSeat ?? false,
      }),
    { expiresAt: s.expiresAt, version: s.now },
  );
}

/** Takes a seat again in PostgreSQL, inside the commit's transaction; a missing row is RowMissing. */
async function recordReacquire(
  tx: Tx,
  core: RedisSeatCore,
  row: { id: string; licenseId: string; organisationId: string },
  ctx: RequestContext,
  now: Date,
  s: { expiresAt: Date; token: string; renewAt: Date | null; oldExpiresAt: Date; sharedSeat?: boolean },
): Promise<void> {
  core.writer.forget(row.id);
  const [before] = await tx.select({ endedAt: sessions.endedAt, endReason: sessions.endReason }).from(sessions).where(eq(sessions.id, row.id)).for('update');
  // Only a live or expired session comes back; one released meanwhile stays released.
  if (!before || (before.endedAt !== null && before.endReason !== 'expired')) throw new RowMissing(row.id);
  await tx
    .update(sessions)
    .set({ lastHeartbeatAt: now, expiresAt: s.expiresAt, endedAt: null, endReason: null, leaseToken: s.token, leaseTokenRenewAt: s.renewAt })
    .where(eq(sessions.id, row.id));
  await appendAudit(tx, ctx, now, [
    ...(before.endedAt === null ? [sessionEvent('seat.expired', row, seatPayload.expired(s.oldExpiresAt.getTime()))] : []),
    sessionEvent('seat.reacquired', row, seatPayload.reacquired(s.sharedSeat ?? false)),
  ]);
}

/** A heartbeat copied before the answer: only onto a live row, never over a newer copy. */
async function writeBeat(tx: Tx, sessionId: string, b: { lastHeartbeatAt: Date; expiresAt: Date; token: string | null; renewAt: Date | null }): Promise<void> {
  const updated = await tx
    .update(sessions)
    .set({
      lastHeartbeatAt: b.lastHeartbeatAt,
      expiresAt: b.expiresAt,
      ...(b.token ? { leaseToken: b.token, leaseTokenRenewAt: b.renewAt } : {}),
    })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt), lte(sessions.lastHeartbeatAt, b.lastHeartbeatAt)))
    .returning({ id: sessions.id });
  if (updated.length === 0) {
    const [row] = await tx.select({ endedAt: sessions.endedAt }).from(sessions).where(eq(sessions.id, sessionId));
    // A newer copy got there first: fine. No live row at all: Redis holds what PostgreSQL does not.
    if (!row || row.endedAt !== null) throw new RowMissing(sessionId);
  }
}

/**
 * Redis does not know the session: it was lost with Redis's data, left out of a
 * rebuild, or reaped. PostgreSQL decides whether it exists; Redis whether a seat is free.
 */
async function heartbeatFromPostgres(
  core: RedisSeatCore,
  ref: SessionRef,
  locked: LockedLicense,
  ctx: RequestContext,
  retried: boolean,
): Promise<HeartbeatOutcome> {
  const row = await findSession(core.o.db, ref);
  if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' };
  const { terms } = locked;
  const reply = await readmit(core, row, locked);
  const now = new Date(reply[1]);
  switch (reply[0]) {
    case 'EXISTS':
      // Another replica re-admitted it a moment ago.
      if (retried) throw unavailable();
      return heartbeat(core, ref, ctx, true);
    case 'LICENSE_EXPIRED':
      return recordRefusedEnd(core, row.id, row.licenseId, row.organisationId, 'LICENSE_EXPIRED', now, ctx);
    case 'NO_SEAT': {
      const used = Number(reply[2]);
      const holders = reply[3] as string[][];
      await endSession(core.o.db, ctx, now, row, { endedAt: row.expiresAt < now ? row.expiresAt : now, reason: 'expired' }, (wasLive) => [
        ...(wasLive ? [sessionEvent('seat.expired', row, seatPayload.expired(row.expiresAt.getTime()))] : []),
        sessionEvent('seat.denied', row, seatPayload.sessionExpired(terms, used)),
      ]);
      return { kind: 'expired', seatsUsed: used, nextFreeAt: holders[0] ? new Date(Number(holders[0][3])) : null };
    }
    case 'GRANTED': {
      const expiresAt = new Date(Number(reply[2]));
      const lapsed = row.endedAt !== null || row.expiresAt <= now;
      const facts = { sessionId: row.id, userId: row.userId, fingerprint: row.fingerprint, expiresAt, borrowedUntil: row.borrowedUntil };
      let token = row.leaseToken;
      let renewAt = row.leaseTokenRenewAt;
      const mustSign = lapsed || tokenDue(token, renewAt?.getTime() ?? null, now.getTime());
      const sign = async () => (mustSign ? core.o.tokens.issue(leaseFacts(terms, facts), now) : null);
      const decision = { licenseId: row.licenseId, sessionId: row.id, reply, undo: true };
      if (lapsed) {
        const issued = await retakeLapsedSeat(core, row, reply, ctx, sign, {
          now,
          expiresAt,
          token,
          renewAt,
          oldExpiresAt: row.expiresAt,
          sharedSeat: reply[4] === 1,
        });
        if (issued) ({ token, renewAt } = issued);
      } else {
        // PostgreSQL's expiry is still ahead: the lease promised now ends by it plus a lease, so the copy may follow.
        let issued: IssuedToken | null;
        try {
          issued = await sign();
        } catch (error) {
          await failed(core, decision, error);
          throw error;
        }
        if (issued) {
          ({ token, renewAt } = issued);
          await core.storeToken(row.licenseId, row.id, issued);
        }
        core.writer.record(row.id, { licenseId: row.licenseId, lastHeartbeatAt: now, expiresAt, token, renewAt });
      }
      if (!token) throw new Error('a renewed session has no lease token');
      core.remember(row.id, row.licenseId);
      const session = liveSession(terms, { ...facts, startedAt: row.startedAt, now, leaseToken: token });
      return { kind: 'renewed', session, reacquired: lapsed };
    }
    default:
      throw new Error(`unexpected readmit reply ${reply[0]}`);
  }
}

function readmit(core: RedisSeatCore, row: SessionRow, locked: LockedLicense): Promise<Reply> {
  const { terms } = locked;
  return core.decide('lhAcquire', row.licenseId, [
    row.id,
    row.basisKey,
    row.fingerprint,
    row.userId ?? '',
    rawDigest(row.secretHash),
    capacity(terms),
    terms.leaseTtlSeconds * 1000,
    locked.expiresAt?.getTime() ?? 0,
    core.retentionMs,
    '',
    row.hostname ?? '',
    row.borrowedUntil?.getTime() ?? 0,
    row.startedAt.getTime(),
    redisLeaseToken(row.leaseToken),
    row.leaseTokenRenewAt?.getTime() ?? '',
    'readmit',
    row.endedAt === null ? row.expiresAt.getTime() : 0,
  ]);
}

/** Suspended, revoked or expired: the session ends at this heartbeat. */
async function endRefused(core: RedisSeatCore, ref: SessionRef, locked: LockedLicense, code: LicenseRefusal, ctx: RequestContext): Promise<HeartbeatOutcome> {
  const { licenseId, organisationId } = locked.terms;
  const reply = await core.decide('lhEnd', licenseId, [ref.sessionId, sha256(ref.sessionSecret), '0', core.retentionMs]);
  if (reply[0] === 'NOT_FOUND') {
    const row = await findSession(core.o.db, ref);
    if (!row || (row.endedAt !== null && row.endReason !== 'expired')) return { kind: 'not-found' };
  }
  return recordRefusedEnd(core, ref.sessionId, licenseId, organisationId, code, new Date(reply[1]), ctx);
}

async function recordRefusedEnd(
  core: RedisSeatCore,
  sessionId: string,
  licenseId: string,
  organisationId: string,
  code: LicenseRefusal,
  now: Date,
  ctx: RequestContext,
): Promise<HeartbeatOutcome> {
  const row = { id: sessionId, licenseId, organisationId };
  core.forgetSession(sessionId);
  await endSession(core.o.db, ctx, now, row, { endedAt: now, reason: code.toLowerCase() }, (wasLive) =>
    wasLive ? [sessionEvent('seat.ended', row, seatPayload.refusedEnd(code))] : [],
  );
  return { kind: 'license-refused', code };
}

export async function borrow(core: RedisSeatCore, ref: SessionRef, durationSeconds: number, ctx: RequestContext, retried = false): Promise<BorrowOutcome> {
  const licenseId = await core.licenseOfSession(ref.sessionId);
  if (!licenseId) return { kind: 'not-found' };
  const locked = await core.terms.load(licenseId);
  if (!locked) return { kind: 'not-found' };
  const refused = statusRefusal(locked.status);
  if (refused) return { kind: 'license-refused', code: refused };
  const { terms } = locked;
  const reply = await core.decide('lhBorrow', licenseId, [
    ref.sessionId,
    sha256(ref.sessionSecret),
    durationSeconds * 1000,
    locked.maxBorrowSeconds * 1000,
    terms.leaseTtlSeconds * 1000,
    locked.expiresAt?.getTime() ?? 0,
    core.retentionMs,
  ]);
  const now = new Date(reply[1]);
  switch (reply[0]) {
    case 'NOT_FOUND': {
      // Redis may have lost a live session: re-admit it, then borrow.
      if (retried) return { kind: 'not-found' };
      const beat = await heartbeatFromPostgres(core, ref, locked, ctx, true);
      return beat.kind === 'renewed' ? borrow(core, ref, durationSeconds, ctx, true) : { kind: 'not-found' };
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
      const row = { id: ref.sessionId, licenseId, organisationId: terms.organisationId };
      core.writer.forget(ref.sessionId);
      // Should this fail, Redis holds the seat until the borrow ends: more than recorded, never more than allowed.
      const issued = await commitDecision(
        core,
        { licenseId, sessionId: ref.sessionId, reply, undo: false },
        () => core.o.tokens.issue(leaseFacts(terms, facts), now),
        async (tx, signed) => {
          const updated = await tx
            .update(sessions)
            .set({ lastHeartbeatAt: now, expiresAt, borrowedUntil, leaseToken: signed.token, leaseTokenRenewAt: signed.renewAt })
            .where(and(eq(sessions.id, ref.sessionId), isNull(sessions.endedAt)))
            .returning({ id: sessions.id });
          if (updated.length === 0) throw new RowMissing(ref.sessionId);
          await appendAudit(tx, ctx, now, [sessionEvent('seat.borrowed', row, seatPayload.borrowed(borrowedUntil.getTime()))]);
        },
        { expiresAt, version: now },
      );
      return { kind: 'borrowed', session: liveSession(terms, { ...facts, startedAt: dateOrNull(started) ?? now, now, leaseToken: issued.token }) };
    }
    default:
      throw new Error(`unexpected borrow reply ${reply[0]}`);
  }
}
