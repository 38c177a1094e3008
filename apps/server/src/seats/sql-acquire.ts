import { newId } from '@leasehold/protocol/ids';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import { bulkInsert } from '../db/bulk-insert.js';
import type { Executor, Tx } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { SeatTerms } from '../kernel/seat-terms.js';
import { type IssuedToken, type LeaseFacts, type LeaseTokens, leaseFacts } from '../tokens/lease-tokens.js';
import { asUnavailable } from './dependency-errors.js';
import { JobFailed } from './group-commit.js';
import { capacity, leaseEnd, seatDecision, seatPayload } from './seat-rules.js';
import type { AcquireOutcome, AcquireSeat, LiveSession } from './seat-store.js';
import { basisKey, licenseRefusal, readLicenses } from './seat-terms.js';
import { asFacts, countLive, liveHolders, type SessionRow, SQL_CLOCK, storeLeaseTokens, toLive } from './sql-seat-helpers.js';

export interface AcquireJob {
  req: AcquireSeat;
  ctx: RequestContext;
}

type Granted = Extract<AcquireOutcome, { kind: 'granted' }>;

/** A grant decided and written, whose lease token is signed after the commit (see signGrants). */
interface Unsigned {
  kind: 'unsigned';
  granted: Granted;
  facts: LeaseFacts;
  at: Date;
  /** The token, when it was signed in the transaction and stored with the new session (see decideAcquires). */
  issued?: IssuedToken | JobFailed;
}

export type Decided = Exclude<AcquireOutcome, Granted> | Unsigned;

/**
 * Decides a batch of acquires in one transaction. Each license in the batch is
 * locked (in ID order) and its live seats read once; the requests are then
 * decided one after another in arrival order exactly as if each had its own
 * transaction, and all new sessions and audit events are written together.
 * Nothing is signed here unless `signNow` is given: the license rows are locked until the
 * commit, and signing (possibly a KMS round trip) must not hold every other acquire of the
 * license. With `signNow` the new sessions' tokens are signed before they are inserted and
 * stored in the same row (one write, no second UPDATE after the commit); see SqlSeatStoreDeps.
 */
export async function decideAcquires(tx: Tx, jobs: AcquireJob[], now: () => Promise<Date>, signNow: LeaseTokens | null = null): Promise<Decided[]> {
  const licenseIds = [...new Set(jobs.map((j) => j.req.licenseId))].sort();
  const locked = await readLicenses(tx, licenseIds, 'update');
  const at = await now();
  const outcomes: Decided[] = new Array(jobs.length);
  const events: AuditEntry[] = [];
  const rows: (typeof sessions.$inferInsert)[] = [];
  const fresh: { row: typeof sessions.$inferInsert; granted: Unsigned }[] = [];
  const denied: { index: number; licenseId: string }[] = [];

  for (const licenseId of licenseIds) {
    const group = jobs.map((job, index) => ({ job, index })).filter(({ job }) => job.req.licenseId === licenseId);
    const license = locked.get(licenseId);
    if (!license) {
      for (const { index } of group) outcomes[index] = { kind: 'license-refused', code: 'LICENSE_NOT_FOUND' };
      continue;
    }
    const { terms } = license;
    const event = (ctx: RequestContext, action: string, data: Record<string, unknown>, sessionId: string | null = null): AuditEntry => ({
      action,
      context: ctx,
      organisationId: terms.organisationId,
      targetType: sessionId ? 'session' : 'license',
      targetId: sessionId ?? licenseId,
      data: { licenseId, ...data, clock: SQL_CLOCK },
    });
    // A key rotated since the caller's lookup no longer opens the license.
    for (const { job, index } of group) {
      if (job.req.keyHash !== null && job.req.keyHash !== license.keyHash) outcomes[index] = { kind: 'license-refused', code: 'LICENSE_NOT_FOUND' };
    }
    const refusal = licenseRefusal(license, at);
    if (refusal) {
      for (const { job, index } of group) {
        if (outcomes[index]) continue;
        events.push(event(job.ctx, 'seat.denied', seatPayload.licenseRefused(refusal, job.req.fingerprint)));
        outcomes[index] = { kind: 'license-refused', code: refusal };
      }
      continue;
    }

    const earlier = await earlierSessions(
      tx,
      licenseId,
      group.map(({ job }) => job.req.idempotencyKey),
    );
    const candidates = group.map(({ job }) => {
      const sessionId = newId('session', at.getTime());
      return { sessionId, key: basisKey(terms.seatBasis, { sessionId, fingerprint: job.req.fingerprint, userId: job.req.userId }) };
    });
    const seats = await liveSeats(
      tx,
      licenseId,
      terms.seatBasis,
      candidates.map((c) => c.key),
      at,
    );
    const limit = capacity(terms);
    const grantedByKey = new Map<string, Unsigned>();

    for (const [position, { job, index }] of group.entries()) {
      if (outcomes[index]) continue;
      const { req } = job;
      const idem = req.idempotencyKey;
      if (idem) {
        const inBatch = grantedByKey.get(idem);
        const before = earlier.get(idem);
        const fingerprint = inBatch?.granted.session.fingerprint ?? before?.fingerprint;
        if (fingerprint !== undefined && fingerprint !== req.fingerprint) {
          outcomes[index] = { kind: 'idempotency-conflict' };
          continue;
        }
        if (inBatch) {
          // The same object: signing it signs both answers.
          outcomes[index] = inBatch;
          continue;
        }
        if (before && before.endedAt === null && before.expiresAt > at) {
          const reused = await reuse(tx, before, terms, at);
          grantedByKey.set(idem, reused);
          outcomes[index] = reused;
          continue;
        }
        // The earlier session ended: its key may start a new one.
        if (before) await tx.update(sessions).set({ idempotencyKey: null }).where(eq(sessions.id, before.id));
      }

      const { sessionId, key } = candidates[position] as { sessionId: string; key: string };
      const mine = seats.live.has(key);
      if (seatDecision({ used: seats.used, mine, capacity: limit }) === 'refused') {
        events.push(event(job.ctx, 'seat.denied', seatPayload.noSeat(terms, seats.used, req.fingerprint)));
        outcomes[index] = { kind: 'no-seat', terms, seatsUsed: seats.used, nextFreeAt: null, holders: [] };
        denied.push({ index, licenseId });
        continue;
      }
      if (!mine) {
        seats.used += 1;
        seats.live.add(key);
      }
      const secret = randomSecret();
      const expiresAt = new Date(leaseEnd(at.getTime(), terms.leaseTtlSeconds, null));
      const row: typeof sessions.$inferInsert = {
        id: sessionId,
        licenseId,
        organisationId: terms.organisationId,
        userId: req.userId,
        basisKey: key,
        fingerprint: req.fingerprint,
        fingerprintComponents: req.fingerprintComponents,
        secretHash: sha256(secret),
        idempotencyKey: idem,
        hostname: req.hostname,
        platform: req.platform,
        clientVersion: req.clientVersion,
        ip: req.ip,
        startedAt: at,
        lastHeartbeatAt: at,
        expiresAt,
      };
      rows.push(row);
      events.push(
        event(
          job.ctx,
          'seat.granted',
          seatPayload.granted(terms, { sharedSeat: mine, seatsUsed: seats.used, hostname: req.hostname, fingerprint: req.fingerprint }),
          sessionId,
        ),
      );
      const session: LiveSession = {
        sessionId,
        userId: req.userId,
        fingerprint: req.fingerprint,
        startedAt: at,
        lastHeartbeatAt: at,
        expiresAt,
        borrowedUntil: null,
        terms,
        leaseToken: '',
      };
      const granted: Unsigned = {
        kind: 'unsigned',
        granted: { kind: 'granted', session, sessionSecret: secret, reused: false, seatsUsed: seats.used },
        facts: leaseFacts(terms, { sessionId, userId: req.userId, fingerprint: req.fingerprint, expiresAt, borrowedUntil: null }),
        at,
      };
      if (idem) grantedByKey.set(idem, granted);
      outcomes[index] = granted;
      fresh.push({ row, granted });
    }
  }

  if (signNow) {
    // A failed signature fails only its own grant (503), as after the commit: its session is
    // stored without a token, and a retry with the same idempotency key signs one.
    await Promise.all(
      fresh.map(async ({ row, granted }) => {
        try {
          const issued = await signNow.issue(granted.facts, granted.at);
          row.leaseToken = issued.token;
          row.leaseTokenRenewAt = issued.renewAt;
          granted.issued = issued;
        } catch (error) {
          granted.issued = new JobFailed(asUnavailable(error));
        }
      }),
    );
  }
  await bulkInsert(tx, sessions, rows);
  // Holders are read after this batch's own grants are in, so a refusal names them too.
  for (const licenseId of new Set(denied.map((d) => d.licenseId))) {
    const holders = await liveHolders(tx, licenseId, at);
    for (const d of denied.filter((x) => x.licenseId === licenseId)) {
      const outcome = outcomes[d.index] as Extract<AcquireOutcome, { kind: 'no-seat' }>;
      outcomes[d.index] = { ...outcome, holders, nextFreeAt: holders[0]?.expiresAt ?? null };
    }
  }
  await appendAudit(tx, jobs[0]?.ctx ?? { requestId: null, ip: null, actor: { type: 'system', id: null } }, at, events);
  return outcomes;
}

/** A repeated acquire: the same session, renewed, with a new secret (the first answer may have been lost). */
async function reuse(tx: Tx, row: SessionRow, terms: SeatTerms, now: Date): Promise<Unsigned> {
  const secret = randomSecret();
  const expiresAt = new Date(leaseEnd(now.getTime(), terms.leaseTtlSeconds, row.borrowedUntil?.getTime() ?? null));
  await tx
    .update(sessions)
    .set({ secretHash: sha256(secret), lastHeartbeatAt: now, expiresAt })
    .where(eq(sessions.id, row.id));
  const { used } = await countLive(tx, terms.licenseId, row.basisKey, now);
  const session = toLive(row, terms, { lastHeartbeatAt: now, expiresAt, leaseToken: '' });
  return {
    kind: 'unsigned',
    granted: { kind: 'granted', session, sessionSecret: secret, reused: true, seatsUsed: used },
    facts: leaseFacts(terms, { ...asFacts(row), expiresAt }),
    at: now,
  };
}

/**
 * Signs the batch's grants after their transaction committed, and stores the tokens
 * in one statement that locks only the new session rows. A failed signature fails
 * only its own grant, with a 503: the seat stays taken until the lease ends (never
 * over-allocated), and a retry with the same idempotency key gets the same session.
 */
export async function signGrants(db: Executor, decided: Decided[], tokens: LeaseTokens): Promise<(AcquireOutcome | JobFailed)[]> {
  const unsigned = [...new Set(decided.filter((d): d is Unsigned => d.kind === 'unsigned'))];
  const signed = new Map<Unsigned, IssuedToken | JobFailed>();
  await Promise.all(
    unsigned.map(async (u) => {
      if (u.issued) {
        signed.set(u, u.issued);
        return;
      }
      try {
        signed.set(u, await tokens.issue(u.facts, u.at));
      } catch (error) {
        signed.set(u, new JobFailed(asUnavailable(error)));
      }
    }),
  );
  const stored = unsigned.flatMap((u) => {
    if (u.issued) return [];
    const issued = signed.get(u);
    return issued && !(issued instanceof JobFailed) ? [{ id: u.granted.session.sessionId, token: issued.token, renewAt: issued.renewAt }] : [];
  });
  await storeLeaseTokens(db, stored);
  const seen = new Set<Unsigned>();
  return decided.map((d) => {
    if (d.kind !== 'unsigned') return d;
    const issued = signed.get(d) as IssuedToken | JobFailed;
    if (issued instanceof JobFailed) return issued;
    // A key repeated within the batch: its later answers are reuses of the first.
    const reused = d.granted.reused || seen.has(d);
    seen.add(d);
    return { ...d.granted, reused, session: { ...d.granted.session, leaseToken: issued.token } };
  });
}

/** Sessions that earlier used any of these idempotency keys on the license. */
async function earlierSessions(tx: Tx, licenseId: string, keys: (string | null)[]): Promise<Map<string, SessionRow>> {
  const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.licenseId, licenseId), inArray(sessions.idempotencyKey, wanted)));
  return new Map(rows.map((r) => [r.idempotencyKey as string, r]));
}

/** How many seats are live (distinct basis keys), and which of the candidate keys already hold one. */
async function liveSeats(
  tx: Tx,
  licenseId: string,
  basis: SeatTerms['seatBasis'],
  candidates: string[],
  now: Date,
): Promise<{ used: number; live: Set<string> }> {
  const live = and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, now));
  if (basis === 'session') {
    // Each session is its own seat and a new session's key is its new ID: counting sessions is
    // enough, and several times cheaper than the distinct count at thousands of sessions.
    const [row] = await tx.select({ used: sql<number>`count(*)::int` }).from(sessions).where(live);
    return { used: Number(row?.used ?? 0), live: new Set() };
  }
  const [row] = await tx
    .select({
      used: sql<number>`count(distinct ${sessions.basisKey})::int`,
      live: sql<string[] | null>`array_agg(distinct ${sessions.basisKey}) filter (where ${inArray(sessions.basisKey, candidates)})`,
    })
    .from(sessions)
    .where(live);
  return { used: Number(row?.used ?? 0), live: new Set(row?.live ?? []) };
}
