import { and, eq, isNull } from 'drizzle-orm';
import { randomSecret } from '../crypto.js';
import type { Db } from '../db/database.js';
import { sessions } from '../db/schema.js';
import { LeaseholdError } from '../kernel/errors.js';
import { REDIS_RETRY_AFTER_SECONDS, type RedisConnection } from '../redis/connection.js';
import { redisLeaseToken } from '../tokens/stored-lease-token.js';
import type { RedisSeatKeys } from './redis-seat-keys.js';
import { rawDigest, type SessionRow } from './redis-seat-records.js';
import { replaceEpoch } from './seat-fence.js';

const CHUNK = 500;
const LOCK_MS = 30_000;
const WAIT_MS = 10_000;

export interface RebuildDeps {
  connection: RedisConnection;
  db: Db;
  keys: RedisSeatKeys;
  retentionMs: number;
  /** Live seats the license may hold (seats + overage; 0 when the license is gone) and its lease in ms. */
  limits(licenseId: string): Promise<{ capacity: number; leaseMs: number }>;
  /** The scripts' time, in ms. */
  /** Redis time on the shard of the license being loaded. */
  now(licenseId: string): Promise<number>;
}

export const unavailable = (detail = 'The seat store is recovering for a moment. Nothing was changed; retry shortly.') =>
  new LeaseholdError('SERVICE_UNAVAILABLE', detail, {}, REDIS_RETRY_AFTER_SECONDS);

/**
 * Loads one license's seat state from PostgreSQL into Redis, when its epoch key is
 * missing (Redis lost its data, or never saw the license). One replica loads, under a
 * lock taken in one step with the check that the epoch is still missing; the others
 * wait for the epoch. Until it is set, every script of the license answers REBUILD and
 * changes nothing, so no seat is granted meanwhile.
 *
 * Conservative (docs/design/seat-invariant.md): the new epoch replaces the old one in
 * PostgreSQL before the sessions are read, so every decision of the old epoch either
 * committed before the read or fails its fence; and a session counts as live until
 * PostgreSQL's expiry plus the largest lag the heartbeat copy rule allows (a lease),
 * since a client may have been promised that much more than PostgreSQL holds.
 */
export async function rebuildLicense(deps: RebuildDeps, licenseId: string): Promise<void> {
  const { connection, keys } = deps;
  const epoch = keys.epoch(licenseId);
  const lock = keys.lock(licenseId);
  const token = randomSecret(12);
  // Monotonic: how long this replica has waited, not a time any seat rule reads.
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const taken = await connection.run('rebuildlock', (c) => c.lhRebuildLock(epoch, lock, token, LOCK_MS));
    if (taken === 'EXISTS') return;
    if (taken === 'TAKEN') break;
    if (performance.now() > deadline) throw unavailable();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  try {
    await load(deps, licenseId, token);
  } catch (error) {
    // Give the lock back at once (if still ours): another replica may succeed sooner than its timeout.
    await connection.run('unlock', (c) => c.lhDropEpoch(lock, token)).catch(() => {});
    throw error;
  }
}

async function load(deps: RebuildDeps, licenseId: string, token: string): Promise<void> {
  const { connection, keys } = deps;
  const epoch = keys.epoch(licenseId);
  const lock = keys.lock(licenseId);
  const nowMs = await deps.now(licenseId);
  const { leaseMs } = await deps.limits(licenseId);
  const epochValue = `${nowMs}.${token}`;
  const rows = await deps.db.transaction(async (tx) => {
    await replaceEpoch(tx, licenseId, epochValue);
    return tx
      .select()
      .from(sessions)
      .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt)));
  });
  const candidates = rows
    .map((row) => ({ row, exp: conservativeExpiry(row, leaseMs) }))
    .filter((c) => c.exp > nowMs)
    .sort((a, b) => b.exp - a.exp);
  // Every one of them, even beyond the license's capacity (seats lowered meanwhile): leaving
  // one out could free a seat its holder still believes in. Over capacity only refuses acquires.
  const load: (string | number | Buffer)[][] = [];
  for (const { row, exp } of candidates) {
    load.push([
      row.id,
      row.basisKey,
      rawDigest(row.secretHash),
      exp,
      row.fingerprint,
      row.userId ?? '',
      row.startedAt.getTime(),
      row.lastHeartbeatAt.getTime(),
      row.borrowedUntil?.getTime() ?? 0,
      row.hostname ?? '',
      row.idempotencyKey ?? '',
      redisLeaseToken(row.leaseToken),
      row.leaseTokenRenewAt?.getTime() ?? '',
      row.expiresAt.getTime(),
    ]);
  }
  for (let i = 0; i === 0 || i < load.length; i += CHUNK) {
    const chunk = load.slice(i, i + CHUNK).flat();
    const final = i + CHUNK >= load.length ? '1' : '0';
    const first = i === 0 ? '1' : '0';
    const reply = await connection.run('load', (c) =>
      c.lhLoad(epoch, keys.seats(licenseId), lock, nowMs, keys.base(licenseId), token, final, deps.retentionMs, epochValue, first, ...chunk),
    );
    // Another replica loaded it (our lock had lapsed): its state stands; the fence sorts out whose epoch wins.
    if (reply === 'EPOCH_EXISTS') return;
    if (reply === 'LOST_LOCK') throw unavailable();
  }
}

/**
 * The latest lease end a client may have been told, from PostgreSQL's row: its expiry
 * plus a lease (the plan's now, or the one the row was written with, if longer).
 */
export function conservativeExpiry(row: Pick<SessionRow, 'expiresAt' | 'lastHeartbeatAt' | 'borrowedUntil'>, leaseMs: number): number {
  const p = row.expiresAt.getTime();
  const written = row.borrowedUntil ? 0 : p - row.lastHeartbeatAt.getTime();
  return p + Math.max(leaseMs, written);
}
