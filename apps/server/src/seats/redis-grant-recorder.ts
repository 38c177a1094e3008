import { and, eq } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import { insertFromJson } from '../db/bulk-insert.js';
import type { Db, Executor } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../request-context.js';

export interface SeatRecord {
  /** A granted session to insert, or none (a denial is only audited). */
  session?: typeof sessions.$inferInsert;
  /** The idempotency key of the grant, checked against PostgreSQL's copy. */
  idempotency?: { licenseId: string; key: string; fingerprint: string };
  event: AuditEntry;
  ctx: RequestContext;
  at: Date;
}

export type RecordResult = 'recorded' | 'idempotency-conflict';

interface Pending extends SeatRecord {
  resolve(result: RecordResult): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 64;
/** Batches written at once. They queue on the chain head's lock inside PostgreSQL, so
 * more than one in flight overlaps the round trips, not the appends. */
const MAX_IN_FLIGHT = 4;

/**
 * Records seat decisions in PostgreSQL with group commit: decisions arriving while
 * batches are being written go together in the next one, each session row with its
 * audit event, in one statement (see appendAudit). If a batch fails, each of its
 * decisions is retried alone, so one bad row fails only its own request.
 */
export class GrantRecorder {
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(private readonly db: Db) {}

  record(record: SeatRecord): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...record, resolve, reject });
      this.#schedule();
    });
  }

  /** Waits one turn of the event loop first, so requests arriving together share a batch. */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= MAX_IN_FLIGHT || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#writeNext();
    });
  }

  async #writeNext(): Promise<void> {
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.#inFlight += 1;
    this.#schedule();
    try {
      const results = await write(this.db, batch);
      for (const [i, p] of batch.entries()) p.resolve(results[i] as RecordResult);
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else
        for (const p of batch) {
          try {
            const [result] = await write(this.db, [p]);
            p.resolve(result as RecordResult);
          } catch (single) {
            p.reject(single);
          }
        }
    } finally {
      this.#inFlight -= 1;
      this.#schedule();
    }
  }
}

/** Idempotency keys need a look at PostgreSQL first, so only their batches open a transaction. */
function write(db: Db, batch: SeatRecord[]): Promise<RecordResult[]> {
  if (batch.some((r) => r.idempotency)) return db.transaction((tx) => writeBatch(tx, batch));
  return writeBatch(db, batch);
}

async function writeBatch(tx: Executor, batch: SeatRecord[]): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const r of batch) {
    if (r.idempotency) {
      // Redis no longer knew the key's session; PostgreSQL still may.
      const { licenseId, key, fingerprint } = r.idempotency;
      const [earlier] = await tx
        .select({ id: sessions.id, fingerprint: sessions.fingerprint })
        .from(sessions)
        .where(and(eq(sessions.licenseId, licenseId), eq(sessions.idempotencyKey, key)));
      if (earlier && earlier.fingerprint !== fingerprint) {
        results.push('idempotency-conflict');
        continue;
      }
      if (earlier) await tx.update(sessions).set({ idempotencyKey: null }).where(eq(sessions.id, earlier.id));
    }
    results.push('recorded');
  }
  const recorded = batch.filter((_, i) => results[i] === 'recorded');
  const rows = recorded.flatMap((r) => (r.session ? [r.session] : []));
  const insertSessions = insertFromJson(sessions, rows);
  const first = recorded[0];
  if (first) {
    const events = recorded.map((r) => ({ ...r.event, context: r.ctx, at: r.at }));
    await appendAudit(tx, first.ctx, first.at, events, insertSessions ? [insertSessions] : []);
  }
  return results;
}
