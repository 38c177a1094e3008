import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { randomSecret } from '../crypto.js';
import type { Db } from '../db/database.js';
import { sessions } from '../db/schema.js';
import { LeaseholdError } from '../errors.js';
import { REDIS_RETRY_AFTER_SECONDS, type RedisConnection } from '../redis/connection.js';
import type { RedisSeatKeys } from './redis-seat-keys.js';

const CHUNK = 500;
const LOCK_MS = 30_000;
const WAIT_MS = 10_000;

export interface RebuildDeps {
  connection: RedisConnection;
  db: Db;
  keys: RedisSeatKeys;
  retentionMs: number;
  /** Live seats the license may hold (seats + overage); 0 when the license is gone. */
  capacity(licenseId: string): Promise<number>;
  /** The scripts' time, in ms. */
  now(): Promise<number>;
}

export const unavailable = (detail = 'The seat store is recovering for a moment. Nothing was changed; retry shortly.') =>
  new LeaseholdError('SERVICE_UNAVAILABLE', detail, {}, REDIS_RETRY_AFTER_SECONDS);

/**
 * Loads one license's live sessions from PostgreSQL into Redis, when its epoch key
 * is missing (Redis lost its data, or never saw the license). One replica loads,
 * under a lock; the others wait for the epoch. Until it is set, every script of the
 * license answers REBUILD and changes nothing, so no seat is granted meanwhile.
 *
 * Which sessions: not ended and `expires_at` after now. PostgreSQL's expiry of a
 * session is refreshed whenever less than half a lease of it is left (see the
 * heartbeat script), so every client that heartbeats on time is among them. At most
 * `capacity` seats are loaded, latest expiry first, so a license is never
 * over-allocated after a rebuild; a session left out regains a seat on its next
 * heartbeat if one is free.
 */
export async function rebuildLicense(deps: RebuildDeps, licenseId: string): Promise<void> {
  const { connection, keys } = deps;
  const epoch = keys.epoch(licenseId);
  const lock = keys.lock(licenseId);
  const token = randomSecret(12);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await connection.run('exists', (c) => c.exists(epoch))) return;
    const taken = await connection.run('set', (c) => c.set(lock, token, 'PX', LOCK_MS, 'NX'));
    if (taken === 'OK') break;
    if (Date.now() > deadline) throw unavailable();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  const nowMs = await deps.now();
  const capacity = await deps.capacity(licenseId);
  const rows = await deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, new Date(nowMs))))
    .orderBy(desc(sessions.expiresAt));
  const admitted = new Set<string>();
  const load: (string | number)[][] = [];
  for (const row of rows) {
    if (!admitted.has(row.basisKey)) {
      if (admitted.size >= capacity) continue;
      admitted.add(row.basisKey);
    }
    load.push([
      row.id,
      row.basisKey,
      row.secretHash,
      row.expiresAt.getTime(),
      row.fingerprint,
      row.userId ?? '',
      row.startedAt.getTime(),
      row.lastHeartbeatAt.getTime(),
      row.borrowedUntil?.getTime() ?? 0,
      row.hostname ?? '',
      row.idempotencyKey ?? '',
      row.leaseToken ?? '',
      row.leaseTokenRenewAt?.getTime() ?? '',
    ]);
  }
  const epochValue = `${nowMs}.${token}`;
  for (let i = 0; i === 0 || i < load.length; i += CHUNK) {
    const chunk = load.slice(i, i + CHUNK).flat();
    const final = i + CHUNK >= load.length ? '1' : '0';
    const reply = await connection.run('load', (c) =>
      c.lhLoad(epoch, keys.seats(licenseId), lock, nowMs, keys.base(licenseId), token, final, deps.retentionMs, epochValue, ...chunk),
    );
    if (reply === 'LOST_LOCK') throw unavailable();
  }
}
