import { inArray, sql } from 'drizzle-orm';
import { matchesHash } from '../crypto.js';
import type { Tx } from '../db/database.js';
import { sessions } from '../db/schema.js';
import { type LeaseTokens, leaseFacts } from '../tokens/lease-tokens.js';
import type { HeartbeatOutcome, SessionRef } from './seat-store.js';
import { licenseRefusal, readLicenses } from './seat-terms.js';
import { addSeconds, asFacts, maxDate, toLive } from './sql-seat-helpers.js';

/**
 * Renews a batch of heartbeats of live sessions in one transaction: one read of
 * the sessions, one shared lock on their licenses, one UPDATE. Anything that is
 * not a plain renewal — an unknown session, a wrong secret, a lease that ran out,
 * a refused license — is answered null, to be decided alone by the full path.
 */
export async function renewHeartbeats(tx: Tx, refs: SessionRef[], now: () => Promise<Date>, tokens: LeaseTokens): Promise<(HeartbeatOutcome | null)[]> {
  const ids = [...new Set(refs.map((r) => r.sessionId))];
  const rows = new Map((await tx.select().from(sessions).where(inArray(sessions.id, ids))).map((r) => [r.id, r]));
  const live = refs.map((ref) => {
    const row = rows.get(ref.sessionId);
    return row && row.endedAt === null && matchesHash(ref.sessionSecret, row.secretHash) ? row : null;
  });
  // The lock is taken before reading the clock, as on the full path: an acquire that
  // saw one of these leases as expired has committed before we judge it alive.
  const licenses = await readLicenses(tx, [...new Set(live.flatMap((row) => (row ? [row.licenseId] : [])))].sort(), 'share');
  const at = await now();
  const outcomes: (HeartbeatOutcome | null)[] = [];
  const updates: { id: string; expiresAt: Date; token: string; renewAt: Date }[] = [];
  for (const row of live) {
    const license = row ? licenses.get(row.licenseId) : undefined;
    if (!row || !license || licenseRefusal(license, at) || row.expiresAt <= at) {
      outcomes.push(null);
      continue;
    }
    const { terms } = license;
    const expiresAt = maxDate(addSeconds(at, terms.leaseTtlSeconds), row.borrowedUntil);
    let token = row.leaseToken;
    let renewAt = row.leaseTokenRenewAt;
    if (!token || !renewAt || renewAt <= at) {
      const issued = await tokens.issue(leaseFacts(terms, { ...asFacts(row), expiresAt }), at);
      token = issued.token;
      renewAt = issued.renewAt;
    }
    updates.push({ id: row.id, expiresAt, token, renewAt });
    outcomes.push({ kind: 'renewed', session: toLive(row, terms, { lastHeartbeatAt: at, expiresAt, leaseToken: token }), reacquired: false });
  }
  if (updates.length > 0) {
    const values = sql.join(
      updates.map((u) => sql`(${u.id}, ${u.expiresAt.toISOString()}::timestamptz, ${u.token}, ${u.renewAt.toISOString()}::timestamptz)`),
      sql`, `,
    );
    await tx.execute(sql`
      update sessions as s
      set last_heartbeat_at = ${at.toISOString()}::timestamptz, expires_at = v.expires_at, lease_token = v.token, lease_token_renew_at = v.renew_at
      from (values ${values}) as v(id, expires_at, token, renew_at)
      where s.id = v.id and s.ended_at is null`);
  }
  return outcomes;
}
