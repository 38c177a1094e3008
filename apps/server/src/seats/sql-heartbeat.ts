import { sql } from 'drizzle-orm';
import { matchesHash } from '../crypto.js';
import type { Executor, Tx } from '../db/database.js';
import { type LeaseFacts, type LeaseTokens, leaseFacts } from '../tokens/lease-tokens.js';
import { asUnavailable } from './dependency-errors.js';
import { JobFailed } from './group-commit.js';
import { leaseEnd, tokenDue } from './seat-rules.js';
import type { HeartbeatOutcome, SessionRef } from './seat-store.js';
import { licenseRefusal, readLicenses } from './seat-terms.js';
import { asFacts, type SessionRow, storeLeaseTokens, toLive } from './sql-seat-helpers.js';

/** What a renewal reads of a session: its checks, its answer and a new token's facts. */
type RenewalRow = Pick<
  SessionRow,
  'id' | 'licenseId' | 'userId' | 'fingerprint' | 'secretHash' | 'startedAt' | 'expiresAt' | 'borrowedUntil' | 'endedAt' | 'leaseToken' | 'leaseTokenRenewAt'
>;

/** The same, as read: timestamps as PostgreSQL's text. */
type RawRenewalRow = Omit<RenewalRow, 'startedAt' | 'expiresAt' | 'borrowedUntil' | 'endedAt' | 'leaseTokenRenewAt'> & {
  startedAt: string;
  expiresAt: string;
  borrowedUntil: string | null;
  endedAt: string | null;
  leaseTokenRenewAt: string | null;
};

const dateOrNull = (t: string | null) => (t === null ? null : new Date(t));

/**
 * The sessions of a batch, only the columns a renewal uses (the others, JSON among them,
 * are neither sent nor parsed), in a statement written out rather than built for each
 * batch: its one array parameter keeps the text the same for every batch size, so it is
 * prepared once. Timestamps come back as text, as drizzle's own reads take them.
 */
async function readRenewals(tx: Tx, ids: string[]): Promise<RenewalRow[]> {
  const result = (await tx.execute(sql`
    select id, license_id as "licenseId", user_id as "userId", fingerprint, secret_hash as "secretHash",
      started_at as "startedAt", expires_at as "expiresAt", borrowed_until as "borrowedUntil", ended_at as "endedAt",
      lease_token as "leaseToken", lease_token_renew_at as "leaseTokenRenewAt"
    from sessions where id = any(${sql.param(ids)}::text[])`)) as unknown as { rows: RawRenewalRow[] };
  return result.rows.map((r) => ({
    ...r,
    startedAt: new Date(r.startedAt),
    expiresAt: new Date(r.expiresAt),
    borrowedUntil: dateOrNull(r.borrowedUntil),
    endedAt: dateOrNull(r.endedAt),
    leaseTokenRenewAt: dateOrNull(r.leaseTokenRenewAt),
  }));
}

/**
 * Renews a batch of heartbeats of live sessions in one transaction: one read of
 * the sessions, one shared lock on their licenses, one UPDATE. Anything that is
 * not a plain renewal — an unknown session, a wrong secret, a lease that ran out,
 * a refused license — is answered null, to be decided alone by the full path.
 */
export async function renewHeartbeats(tx: Tx, refs: SessionRef[], now: () => Promise<Date>): Promise<(RenewedUnsigned | HeartbeatOutcome | null)[]> {
  const ids = [...new Set(refs.map((r) => r.sessionId))];
  const rows = new Map((await readRenewals(tx, ids)).map((r) => [r.id, r]));
  const live = refs.map((ref) => {
    const row = rows.get(ref.sessionId);
    return row && row.endedAt === null && matchesHash(ref.sessionSecret, row.secretHash) ? row : null;
  });
  // The lock is taken before reading the clock, as on the full path: an acquire that
  // saw one of these leases as expired has committed before we judge it alive.
  const licenses = await readLicenses(tx, [...new Set(live.flatMap((row) => (row ? [row.licenseId] : [])))].sort(), 'share');
  const at = await now();
  const outcomes: (RenewedUnsigned | HeartbeatOutcome | null)[] = [];
  const updates: { id: string; expiresAt: Date }[] = [];
  for (const row of live) {
    const license = row ? licenses.get(row.licenseId) : undefined;
    if (!row || !license || licenseRefusal(license, at) || row.expiresAt <= at) {
      outcomes.push(null);
      continue;
    }
    const { terms } = license;
    const expiresAt = new Date(leaseEnd(at.getTime(), terms.leaseTtlSeconds, row.borrowedUntil?.getTime() ?? null));
    const token = row.leaseToken;
    const renewAt = row.leaseTokenRenewAt;
    updates.push({ id: row.id, expiresAt });
    const outcome: HeartbeatOutcome = {
      kind: 'renewed',
      session: toLive(row, terms, { lastHeartbeatAt: at, expiresAt, leaseToken: token ?? '' }),
      reacquired: false,
    };
    // A token due for renewal is signed after the commit (no signing under the lock).
    if (tokenDue(token, renewAt?.getTime() ?? null, at.getTime()))
      outcomes.push({ kind: 'unsigned', outcome, facts: leaseFacts(terms, { ...asFacts(row), expiresAt }), at });
    else outcomes.push(outcome);
  }
  if (updates.length > 0) {
    // Arrays, not a list of values: the same text (one prepared statement) for every batch size.
    await tx.execute(sql`
      update sessions as s
      set last_heartbeat_at = ${at.toISOString()}::timestamptz, expires_at = v.expires_at
      from unnest(${sql.param(updates.map((u) => u.id))}::text[], ${sql.param(updates.map((u) => u.expiresAt.toISOString()))}::timestamptz[]) as v(id, expires_at)
      where s.id = v.id and s.ended_at is null`);
  }
  return outcomes;
}

export interface RenewedUnsigned {
  kind: 'unsigned';
  outcome: Extract<HeartbeatOutcome, { kind: 'renewed' }>;
  facts: LeaseFacts;
  at: Date;
}

/** Signs the renewals whose token was due, after the commit, and stores them; a failed signature fails only its heartbeat (503). */
export async function signRenewals(
  db: Executor,
  renewed: (RenewedUnsigned | HeartbeatOutcome | null)[],
  tokens: LeaseTokens,
): Promise<(HeartbeatOutcome | JobFailed | null)[]> {
  const stored: { id: string; token: string; renewAt: Date }[] = [];
  const out = await Promise.all(
    renewed.map(async (r) => {
      if (r?.kind !== 'unsigned') return r;
      try {
        const issued = await tokens.issue(r.facts, r.at);
        stored.push({ id: r.outcome.session.sessionId, token: issued.token, renewAt: issued.renewAt });
        return { ...r.outcome, session: { ...r.outcome.session, leaseToken: issued.token } };
      } catch (error) {
        return new JobFailed(asUnavailable(error));
      }
    }),
  );
  await storeLeaseTokens(db, stored);
  return out;
}
