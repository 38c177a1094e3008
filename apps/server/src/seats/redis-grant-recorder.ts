import { and, eq } from 'drizzle-orm';
import { type AuditEntry, appendAudit } from '../audit/audit-log.js';
import { insertFromJson } from '../db/bulk-insert.js';
import type { Db, Executor } from '../db/database.js';
import { sessions } from '../db/schema.js';
import type { RequestContext } from '../kernel/request-context.js';
import { GroupCommit } from './group-commit.js';
import { staleEpochs } from './seat-fence.js';

export interface SeatRecord {
  /** A granted session to insert, or none (a denial is only audited). */
  session?: typeof sessions.$inferInsert;
  /** The idempotency key of the grant, checked against PostgreSQL's copy. */
  idempotency?: { licenseId: string; key: string; fingerprint: string };
  event: AuditEntry;
  ctx: RequestContext;
  at: Date;
  /** The epoch the grant was decided under (see seat-fence.ts); denials have none. */
  fence?: { licenseId: string; epoch: string };
}

export type RecordResult = 'recorded' | 'idempotency-conflict' | 'fenced';

const MAX_BATCH = 64;
/** Batches written at once. They queue on the chain head's lock inside PostgreSQL, so
 * more than one in flight overlaps the round trips, not the appends. */
const MAX_IN_FLIGHT = 4;

/**
 * Records seat decisions in PostgreSQL with group commit: decisions arriving while
 * batches are being written go together in the next one, each session row with its
 * audit event, in one statement (see appendAudit).
 */
export class GrantRecorder {
  readonly #commit: GroupCommit<SeatRecord, RecordResult>;

  constructor(db: Db) {
    this.#commit = new GroupCommit((batch) => write(db, batch), MAX_BATCH, MAX_IN_FLIGHT);
  }

  record(record: SeatRecord): Promise<RecordResult> {
    return this.#commit.submit(record);
  }
}

/** Grants check their fence and idempotency keys need a look first: a batch with either is one transaction. */
function write(db: Db, batch: SeatRecord[]): Promise<RecordResult[]> {
  if (batch.some((r) => r.idempotency || r.fence)) return db.transaction((tx) => writeBatch(tx, batch));
  return writeBatch(db, batch);
}

async function writeBatch(tx: Executor, batch: SeatRecord[]): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  const decided = new Map<string, string>();
  for (const r of batch) if (r.fence) decided.set(r.fence.licenseId, r.fence.epoch);
  // A grant decided under an epoch a rebuild has since replaced must not be recorded.
  // Two grants of one license in one batch carry one epoch unless a loss fell between
  // them; then the later epoch is checked and the earlier grant is fenced below.
  const stale = await staleEpochs(tx, decided);
  for (const r of batch) {
    if (r.fence && (stale.has(r.fence.licenseId) || decided.get(r.fence.licenseId) !== r.fence.epoch)) {
      results.push('fenced');
      continue;
    }
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
