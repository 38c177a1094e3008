import { and, eq, isNull, lte } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import { sha256 } from '../crypto.js';
import { sessions } from '../db/schema.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { RedisSeatCore } from './redis-seat-core.js';
import { conservativeExpiry } from './redis-seat-rebuild.js';
import { endSession, findSession, type SessionRow, sessionEvent } from './redis-seat-records.js';
import { seatPayload } from './seat-rules.js';
import type { ReleaseOutcome, SessionRef } from './seat-store.js';

// Giving seats back on the Redis store: releases by the holder, by an admin, and by
// the reaper when a lease ran out.

const REAP_BATCH = 500;

export async function release(core: RedisSeatCore, ref: SessionRef, ctx: RequestContext): Promise<ReleaseOutcome> {
  const licenseId = await core.licenseOfSession(ref.sessionId);
  if (!licenseId) return { kind: 'not-found' };
  const reply = await core.decide('lhEnd', licenseId, [ref.sessionId, sha256(ref.sessionSecret), '0', core.retentionMs]);
  const row = await findSession(core.o.db, ref);
  if (!row) return { kind: 'not-found' };
  // Releasing twice is not an error: the caller's aim, a freed seat, holds.
  if (reply[0] === 'NOT_FOUND' && row.endedAt !== null) return { kind: 'released', sessionId: row.id, licenseId: row.licenseId };
  await recordEnd(core, row, 'released', new Date(reply[1]), ctx);
  return { kind: 'released', sessionId: row.id, licenseId: row.licenseId };
}

export async function forceRelease(core: RedisSeatCore, sessionId: string, scope: OrganisationScope, ctx: RequestContext): Promise<ReleaseOutcome> {
  const [row] = await core.o.db.select().from(sessions).where(eq(sessions.id, sessionId));
  if (!row || row.endedAt !== null) return { kind: 'not-found' };
  if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' };
  const reply = await core.decide('lhEnd', row.licenseId, [sessionId, '', '1', core.retentionMs]);
  const now = new Date(reply[1]);
  // Not live in Redis and not by PostgreSQL's copy either: nothing to free.
  if (reply[0] === 'NOT_FOUND' && row.expiresAt <= now) return { kind: 'not-found' };
  await recordEnd(core, row, 'force-released', now, ctx);
  return { kind: 'released', sessionId, licenseId: row.licenseId };
}

async function recordEnd(core: RedisSeatCore, row: SessionRow, reason: 'released' | 'force-released', now: Date, ctx: RequestContext): Promise<void> {
  core.forgetSession(row.id);
  await endSession(core.o.db, ctx, now, row, { endedAt: now, reason }, (wasLive) =>
    wasLive ? [sessionEvent(`seat.${reason}`, row, seatPayload.ended(row.startedAt.getTime(), now.getTime()))] : [],
  );
}

/**
 * Ends sessions whose lease ran out. PostgreSQL names the candidates (its copy of
 * the expiry is never later than Redis's); Redis says which really expired. One Redis
 * no longer knows (lost with its data, or past retention) ends only once PostgreSQL's
 * expiry plus a lease has passed, as a rebuild would judge it.
 */
export async function reapExpired(core: RedisSeatCore, ctx: RequestContext): Promise<number> {
  await core.writer.flush().catch(() => {});
  let total = 0;
  for (;;) {
    // Which sessions are candidates, by any shard's clock; each license is judged by its own.
    const now = new Date(await core.now());
    const reaped = await core.o.db.transaction(async (tx) => {
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
      for (const row of rows) {
        const group = byLicense.get(row.licenseId);
        if (group) group.push(row);
        else byLicense.set(row.licenseId, [row]);
      }
      const ended: { row: SessionRow; at: Date }[] = [];
      for (const [licenseId, group] of byLicense) {
        const leaseMs = ((await core.terms.load(licenseId))?.terms.leaseTtlSeconds ?? 0) * 1000;
        const reply = await core.decide('lhReap', licenseId, [core.retentionMs, ...group.map((r) => r.id)]);
        const states = reply[2] as [string, string, number][];
        const licenseNow = Number(reply[1]);
        for (const [i, [, state, expMs]] of states.entries()) {
          const row = group[i] as SessionRow;
          if (state === 'LIVE')
            await tx
              .update(sessions)
              .set({ expiresAt: new Date(expMs) })
              .where(eq(sessions.id, row.id));
          else if (state === 'EXPIRED') ended.push({ row, at: new Date(expMs) });
          // Unknown to Redis: ended only once no lease PostgreSQL cannot see may still run.
          else if (conservativeExpiry(row, leaseMs) <= licenseNow) ended.push({ row, at: row.expiresAt });
        }
      }
      for (const { row, at } of ended) {
        core.forgetSession(row.id);
        await tx.update(sessions).set({ endedAt: at, endReason: 'expired' }).where(eq(sessions.id, row.id));
      }
      await appendAudit(
        tx,
        ctx,
        now,
        ended.map(({ row, at }) => sessionEvent('seat.expired', row, seatPayload.expired(at.getTime()))),
      );
      return { ended: ended.length, seen: rows.length };
    });
    total += reaped.ended;
    if (reaped.seen < REAP_BATCH) return total;
  }
}
