import type { Tx } from '../db/database.js';
import { RedisOutcomeUnknown } from '../redis/connection.js';
import { ReplicasBehind } from '../redis/replica-ack.js';
import type { RedisSeatCore, Reply } from './redis-seat-core.js';
import { checkFence, SeatFenced } from './seat-fence.js';

/**
 * The one way a Redis seat decision becomes a promise to a client, in this order:
 *
 * 1. the script decided (and answered the epoch it decided under);
 * 2. sign the lease token (nothing slow happens inside a transaction);
 * 3. record in PostgreSQL, in one transaction that first checks the fence (the epoch
 *    is still PostgreSQL's) and then checks every row count it relies on;
 * 4. confirm to Redis the expiry PostgreSQL now holds (and store the token);
 * 5. only then answer. On any failure before 4, undo what the script did (when the
 *    decision took a seat) so Redis never holds a promise PostgreSQL lacks; a fenced
 *    epoch is dropped so the next call rebuilds the license.
 *
 * Grants of new sessions follow the same steps through the GrantRecorder's batches.
 */
export interface Decision {
  licenseId: string;
  sessionId: string;
  reply: Reply;
  /** Whether a failure must give the seat back in Redis (the decision took one). */
  undo: boolean;
}

/** A PostgreSQL write found fewer rows than it relied on. */
export class RowMissing extends Error {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} has no live row in PostgreSQL`);
  }
}

export async function commitDecision<S extends { token: string; renewAt: Date | null } | null>(
  core: RedisSeatCore,
  d: Decision,
  sign: () => Promise<S>,
  record: (tx: Tx, signed: S) => Promise<void>,
  confirm: { expiresAt: Date; version: Date },
): Promise<S> {
  let signed: S;
  try {
    signed = await sign();
    await core.o.db.transaction(async (tx) => {
      await checkFence(tx, d.licenseId, d.reply.epoch);
      await record(tx, signed);
    });
  } catch (error) {
    await failed(core, d, error);
    throw error;
  }
  await core.confirm(d.licenseId, d.sessionId, { token: signed, expiresAt: confirm.expiresAt, version: confirm.version });
  return signed;
}

/** What every failed commit does: drop a fenced epoch, give back a seat the decision took. */
export async function failed(core: RedisSeatCore, d: Omit<Decision, 'reply'> & { epoch: string }, error: unknown): Promise<void>;
export async function failed(core: RedisSeatCore, d: Decision, error: unknown): Promise<void>;
export async function failed(core: RedisSeatCore, d: { licenseId: string; sessionId: string; undo: boolean; reply?: Reply; epoch?: string }, error: unknown) {
  const epoch = d.epoch ?? d.reply?.epoch ?? '';
  if (error instanceof SeatFenced) await core.dropEpoch(d.licenseId, epoch).catch(() => {});
  if (d.undo) await core.undo(d.licenseId, d.sessionId).catch(() => {});
}

/**
 * Runs a script that may take a seat for `sessionId`. A timeout leaves its outcome
 * unknown, and a seat the replicas did not confirm may be lost in a failover: the
 * session ID was chosen here, so ending that session (a no-op if the script never ran)
 * puts Redis back where it was before the caller hears 503.
 */
export async function decideTaking(core: RedisSeatCore, run: () => Promise<Reply>, licenseId: string, sessionId: string): Promise<Reply> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RedisOutcomeUnknown || error instanceof ReplicasBehind) await core.undo(licenseId, sessionId).catch(() => {});
    throw error;
  }
}
