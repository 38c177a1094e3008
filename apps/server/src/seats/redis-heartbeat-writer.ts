import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';

interface Beat {
  lastHeartbeatAt: Date;
  expiresAt: Date;
  token: string | null;
  renewAt: Date | null;
}

const CHUNK = 1_000;

/**
 * Writes routine heartbeats to PostgreSQL behind the answer, batched every few
 * seconds: Redis decides, PostgreSQL keeps a copy good enough to rebuild from.
 * Only the heartbeats the heartbeat script asks to copy come here (when PostgreSQL's
 * expiry has less than half a lease left), so PostgreSQL's expiry of a punctual
 * client stays ahead of now and a rebuild from it never drops a live session.
 * A failed flush keeps its rows for the next one, unless newer ones replaced them.
 */
export class HeartbeatWriter {
  #queue = new Map<string, Beat>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#timer = setInterval(() => void this.flush().catch(this.onError), intervalMs);
    this.#timer.unref();
  }

  record(sessionId: string, beat: Beat): void {
    const earlier = this.#queue.get(sessionId);
    // Keep a token signed earlier in this interval when this beat reused it.
    if (earlier && beat.token === null) this.#queue.set(sessionId, { ...beat, token: earlier.token, renewAt: earlier.renewAt });
    else this.#queue.set(sessionId, beat);
  }

  /** The session was written synchronously (or ended): a queued older copy must not overwrite it. */
  forget(sessionId: string): void {
    this.#queue.delete(sessionId);
  }

  get pending(): number {
    return this.#queue.size;
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#queue.size === 0) return;
    const batch = this.#queue;
    this.#queue = new Map();
    this.#flushing = this.#write(batch)
      .catch((error) => {
        for (const [id, beat] of batch) if (!this.#queue.has(id)) this.#queue.set(id, beat);
        throw error;
      })
      .finally(() => {
        this.#flushing = null;
      });
    await this.#flushing;
  }

  async #write(batch: Map<string, Beat>): Promise<void> {
    const entries = [...batch];
    for (let i = 0; i < entries.length; i += CHUNK) {
      // One JSON parameter for the whole chunk: building thousands of bound parameters
      // with the query builder cost more CPU than the heartbeats being copied.
      const rows = JSON.stringify(
        entries.slice(i, i + CHUNK).map(([id, b]) => ({
          id,
          lhb: b.lastHeartbeatAt.getTime(),
          exp: b.expiresAt.getTime(),
          tok: b.token,
          ren: b.renewAt?.getTime() ?? null,
        })),
      );
      // Ended sessions are left alone: a late copy never revives one.
      await this.db.execute(sql`
        update sessions set
          last_heartbeat_at = to_timestamp(v.lhb / 1000.0),
          expires_at = to_timestamp(v.exp / 1000.0),
          lease_token = coalesce(v.tok, sessions.lease_token),
          lease_token_renew_at = coalesce(to_timestamp(v.ren / 1000.0), sessions.lease_token_renew_at)
        from json_to_recordset(${rows}::json) as v(id text, lhb bigint, exp bigint, tok text, ren bigint)
        where sessions.id = v.id and sessions.ended_at is null`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
