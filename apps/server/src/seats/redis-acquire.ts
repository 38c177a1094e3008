import { newId } from '@leasehold/protocol/ids';
import { and, eq, isNull } from 'drizzle-orm';
import { randomSecret, sha256 } from '../crypto.js';
import { sessions } from '../db/schema.js';
import { systemClock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type IssuedToken, leaseFacts } from '../tokens/lease-tokens.js';
import { commitDecision, decideTaking, failed, RowMissing } from './redis-commit.js';
import { statusRefusal } from './redis-license-terms.js';
import type { RedisSeatCore, Reply } from './redis-seat-core.js';
import { dateOrNull, licenseEvent, liveSession, orNull, REDIS_CLOCK, rawDigest } from './redis-seat-records.js';
import { SeatFenced } from './seat-fence.js';
import { capacity, seatPayload } from './seat-rules.js';
import type { AcquireOutcome, AcquireSeat, LicenseRefusal, SeatHolder } from './seat-store.js';
import { basisKey, type LockedLicense } from './seat-terms.js';

// Taking a seat on the Redis store: the license's terms read fresh from PostgreSQL,
// one script decides, the grant and its event are recorded in PostgreSQL (batched
// with others), and undone in Redis if that fails.

export async function acquire(core: RedisSeatCore, req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
  // Once more when the first try found its epoch fenced (Redis lost its data meanwhile) or a
  // repeated key's session without its row: the caller was promised nothing yet.
  try {
    return await acquireOnce(core, req, ctx);
  } catch (error) {
    if (!(error instanceof SeatFenced || error instanceof RowMissing)) throw error;
    return acquireOnce(core, req, ctx);
  }
}

async function acquireOnce(core: RedisSeatCore, req: AcquireSeat, ctx: RequestContext): Promise<AcquireOutcome> {
  const locked = await core.terms.load(req.licenseId);
  // A key rotated since the caller's lookup no longer opens the license.
  if (!locked || (req.keyHash !== null && req.keyHash !== locked.keyHash)) return { kind: 'license-refused', code: 'LICENSE_NOT_FOUND' };
  const { terms } = locked;
  const refused = statusRefusal(locked.status);
  if (refused) return refuseAcquire(core, locked, refused, req, ctx, new Date(await core.now(locked.terms.licenseId)));

  const sessionId = newId('session', (core.o.testClock ?? systemClock).now().getTime());
  const key = basisKey(terms.seatBasis, { sessionId, fingerprint: req.fingerprint, userId: req.userId });
  const secret = randomSecret();
  const secretHash = sha256(secret);
  const decide = () =>
    core.decide('lhAcquire', req.licenseId, [
      sessionId,
      key,
      req.fingerprint,
      req.userId ?? '',
      rawDigest(secretHash),
      capacity(terms),
      terms.leaseTtlSeconds * 1000,
      locked.expiresAt?.getTime() ?? 0,
      core.retentionMs,
      req.idempotencyKey ?? '',
      req.hostname ?? '',
      0,
      0,
      '',
      '',
      'acquire',
      '',
    ]);
  const reply = await decideTaking(core, decide, req.licenseId, sessionId);
  const now = new Date(reply[1]);
  switch (reply[0]) {
    case 'LICENSE_EXPIRED':
      return refuseAcquire(core, locked, 'LICENSE_EXPIRED', req, ctx, now);
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
      await core.recorder.record({
        ctx,
        at: now,
        event: licenseEvent('seat.denied', terms, seatPayload.noSeat(terms, used, req.fingerprint)),
      });
      return { kind: 'no-seat', terms, seatsUsed: used, nextFreeAt: holders[0]?.expiresAt ?? null, holders };
    }
    case 'REUSED':
      return reuse(core, locked, req, reply, { secret, secretHash });
    case 'GRANTED':
      return grant(core, locked, req, ctx, { sessionId, key, secret, secretHash, now, reply });
    default:
      throw new Error(`unexpected acquire reply ${reply[0]}`);
  }
}

async function refuseAcquire(
  core: RedisSeatCore,
  locked: LockedLicense,
  code: LicenseRefusal,
  req: AcquireSeat,
  ctx: RequestContext,
  now: Date,
): Promise<AcquireOutcome> {
  await core.recorder.record({ ctx, at: now, event: licenseEvent('seat.denied', locked.terms, seatPayload.licenseRefused(code, req.fingerprint)) });
  return { kind: 'license-refused', code };
}

async function grant(
  core: RedisSeatCore,
  locked: LockedLicense,
  req: AcquireSeat,
  ctx: RequestContext,
  g: { sessionId: string; key: string; secret: string; secretHash: string; now: Date; reply: Reply },
): Promise<AcquireOutcome> {
  const { terms } = locked;
  const { sessionId, now } = g;
  const expiresAt = new Date(Number(g.reply[2]));
  const seatsUsed = Number(g.reply[3]);
  const sharedSeat = g.reply[4] === 1;
  const decision = { licenseId: terms.licenseId, sessionId, reply: g.reply, undo: true };
  let issued: IssuedToken;
  try {
    issued = await core.o.tokens.issue(leaseFacts(terms, { sessionId, userId: req.userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil: null }), now);
    const recorded = await core.recorder.record({
      ctx,
      at: now,
      fence: { licenseId: terms.licenseId, epoch: g.reply.epoch },
      ...(req.idempotencyKey ? { idempotency: { licenseId: terms.licenseId, key: req.idempotencyKey, fingerprint: req.fingerprint } } : {}),
      session: {
        id: sessionId,
        licenseId: terms.licenseId,
        organisationId: terms.organisationId,
        userId: req.userId,
        basisKey: g.key,
        fingerprint: req.fingerprint,
        fingerprintComponents: req.fingerprintComponents,
        secretHash: g.secretHash,
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
          ...seatPayload.granted(terms, { sharedSeat, seatsUsed, hostname: req.hostname, fingerprint: req.fingerprint }),
          clock: REDIS_CLOCK,
        },
      },
    });
    if (recorded === 'fenced') throw new SeatFenced(terms.licenseId);
    if (recorded === 'idempotency-conflict') {
      await core.undo(terms.licenseId, sessionId);
      return { kind: 'idempotency-conflict' };
    }
  } catch (error) {
    // PostgreSQL did not record the grant: give the seat back so Redis holds nothing PostgreSQL lacks.
    await failed(core, decision, error);
    throw error;
  }
  core.remember(sessionId, terms.licenseId);
  await core.confirm(terms.licenseId, sessionId, { token: issued, expiresAt, version: now });
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
async function reuse(
  core: RedisSeatCore,
  locked: LockedLicense,
  req: AcquireSeat,
  reply: Reply,
  { secret, secretHash }: { secret: string; secretHash: string },
): Promise<AcquireOutcome> {
  const [, nowMs, sessionId, expMs, used, user, started, bor, oldSecretHash] = reply;
  const now = new Date(nowMs);
  const expiresAt = new Date(Number(expMs));
  const borrowedUntil = dateOrNull(bor);
  const userId = orNull(user);
  const sid = String(sessionId);
  core.writer.forget(sid);
  // Only a session without its row is undone: otherwise Redis keeps the longer lease, which is safe.
  const decision = { licenseId: locked.terms.licenseId, sessionId: sid, reply, undo: false };
  const issued = await commitDecision(
    core,
    decision,
    () => core.o.tokens.issue(leaseFacts(locked.terms, { sessionId: sid, userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil }), now),
    async (tx, signed) => {
      const updated = await tx
        .update(sessions)
        .set({ secretHash, lastHeartbeatAt: now, expiresAt, leaseToken: signed.token, leaseTokenRenewAt: signed.renewAt })
        .where(and(eq(sessions.id, sid), isNull(sessions.endedAt)))
        .returning({ id: sessions.id });
      if (updated.length === 0) {
        // The grant was decided but never recorded (its replica died first): it never happened.
        await failed(core, { ...decision, undo: true }, null);
        throw new RowMissing(sid);
      }
    },
    { expiresAt, version: now },
  ).catch(async (error: unknown) => {
    // PostgreSQL kept the old secret: so does Redis, or the holder of the old one would be locked out.
    if (!(error instanceof RowMissing)) await core.restoreSecret(locked.terms.licenseId, sid, secretHash, String(oldSecretHash ?? '')).catch(() => {});
    throw error;
  });
  core.remember(sid, locked.terms.licenseId);
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
