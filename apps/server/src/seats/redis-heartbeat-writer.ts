import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';

export interface Beat {
  licenseId: string;
  /** Also the beat's version: a copy never replaces a newer one, in the queue or in PostgreSQL. */
  lastHeartbeatAt: Date;
  expiresAt: Date;
  token: string | null;
  renewAt: Date | null;
}

/** Told which copies PostgreSQL now holds, so Redis can raise its confirmed expiry (pgx). */
export type ConfirmCopies = (written: { sessionId: string; beat: Beat }[]) => Promise<void>;

const CHUNK = 1_000;

/**
 * Writes routine heartbeats to PostgreSQL behind the answer, batched every few
 * seconds: Redis decides, PostgreSQL keeps a copy good enough to rebuild from.
 * Only the heartbeats the heartbeat script asks to copy come here (when PostgreSQL's
 * confirmed expiry has less than half a lease left, yet is still ahead); a promised
 * lease then never ends later than PostgreSQL's expiry plus a lease, whether or not
 * this copy ever lands (docs/design/seat-invariant.md). After a write, Redis is told
 * which copies PostgreSQL holds. A failed flush keeps its rows for the next one,
 * unless newer ones replaced them or the session was forgotten meanwhile.
 */
export class HeartbeatWriter {
  #queue = new Map<string, Beat>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | null = null;
  /** Sessions forgotten while a flush was in flight: its failure must not queue them again. */
  #forgottenInFlight = new Set<string>();

  constructor(
    private readonly db: Db,
    intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly confirm: ConfirmCopies = async () => {},
  ) {
    this.#timer = setInterval(() => void this.flush().catch(this.onError), intervalMs);
    this.#timer.unref();
  }

  record(sessionId: string, beat: Beat): void {
    const earlier = this.#queue.get(sessionId);
    if (earlier && earlier.lastHeartbeatAt > beat.lastHeartbeatAt) return;
    // Keep a token signed earlier in this interval when this beat reused it.
    if (earlier && beat.token === null) this.#queue.set(sessionId, { ...beat, token: earlier.token, renewAt: earlier.renewAt });
    else this.#queue.set(sessionId, beat);
  }

  /** The session was written synchronously (or ended): a queued older copy must not overwrite it. */
  forget(sessionId: string): void {
    this.#queue.delete(sessionId);
    if (this.#flushing) this.#forgottenInFlight.add(sessionId);
  }

  get pending(): number {
    return this.#queue.size;
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#queue.size === 0) return;
    const batch = this.#queue;
    this.#queue = new Map();
    this.#forgottenInFlight = new Set();
    this.#flushing = this.#write(batch)
      .catch((error) => {
        for (const [id, beat] of batch) if (!this.#queue.has(id) && !this.#forgottenInFlight.has(id)) this.#queue.set(id, beat);
        throw error;
      })
      .finally(() => {
        this.#flushing = null;
        this.#forgottenInFlight = new Set();
      });
    await this.#flushing;
  }

  async #write(batch: Map<string, Beat>): Promise<void> {
    const entries = [...batch];
    const written: { sessionId: string; beat: Beat }[] = [];
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
      // Ended sessions are left alone (a late copy never revives one), and so are rows a
      // newer write reached first (the heartbeat time is the version).
      const result = (await this.db.execute(sql`
        update sessions set
          last_heartbeat_at = to_timestamp(v.lhb / 1000.0),
          expires_at = to_timestamp(v.exp / 1000.0),
          lease_token = coalesce(v.tok, sessions.lease_token),
          lease_token_renew_at = coalesce(to_timestamp(v.ren / 1000.0), sessions.lease_token_renew_at)
        from json_to_recordset(${rows}::json) as v(id text, lhb bigint, exp bigint, tok text, ren bigint)
        where sessions.id = v.id and sessions.ended_at is null and sessions.last_heartbeat_at <= to_timestamp(v.lhb / 1000.0)
        returning sessions.id`)) as unknown as { rows: { id: string }[] };
      for (const row of result.rows) {
        const beat = batch.get(row.id);
        if (beat) written.push({ sessionId: row.id, beat });
      }
    }
    await this.confirm(written).catch(this.onError);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
