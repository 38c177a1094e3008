import { and, eq } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
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

/**
 * Records seat decisions in PostgreSQL with group commit: decisions arriving while a
 * transaction runs are written together in the next one, each session row with its
 * audit event. Every append takes the audit chain's head lock, so one transaction per
 * decision would serialise on it; one per batch pays the lock and the commit once.
 * If a batch fails, each of its decisions is retried alone, so one bad row fails only
 * its own request.
 */
export class GrantRecorder {
  #queue: Pending[] = [];
  #running = false;

  constructor(private readonly db: Db) {}

  record(record: SeatRecord): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...record, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          const results = await this.db.transaction((tx) => writeBatch(tx, batch));
          for (const [i, p] of batch.entries()) p.resolve(results[i] as RecordResult);
        } catch (error) {
          if (batch.length === 1) {
            batch[0]?.reject(error);
            continue;
          }
          for (const p of batch) {
            try {
              const [result] = await this.db.transaction((tx) => writeBatch(tx, [p]));
              p.resolve(result as RecordResult);
            } catch (single) {
              p.reject(single);
            }
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

async function writeBatch(tx: Tx, batch: SeatRecord[]): Promise<RecordResult[]> {
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
  const rows = batch.flatMap((r, i) => (results[i] === 'recorded' && r.session ? [r.session] : []));
  if (rows.length > 0) await tx.insert(sessions).values(rows);
  for (const [i, r] of batch.entries()) if (results[i] === 'recorded') await appendAudit(tx, r.ctx, r.at, [r.event]);
  return results;
}
