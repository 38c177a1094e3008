import type { Db } from '../db/database.js';
import { auditRepository } from '../repositories/audit-repository.js';
import { contentDigest, GENESIS_HASH, linkHash } from './audit-hash.js';

export type ChainVerdict = { ok: true; events: number; headHash: string } | { ok: false; events: number; firstBadSeq: number; reason: string };

const BATCH = 1000;

/**
 * Walks the chain in order and names the first row that was altered or removed:
 * a row whose hash does not match its content was altered; a gap in `seq` or a
 * link to the wrong previous hash means rows were removed; a head that points
 * past the last row means rows were removed from the end.
 */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await auditRepository.eventsAfter(db, expectedSeq - 1, BATCH);
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return bad(count, expectedSeq, `row ${expectedSeq}${row.seq - 1 > expectedSeq ? `–${row.seq - 1}` : ''} removed (next row present is ${row.seq})`);
      }
      if (row.prevHash !== prevHash) {
        return bad(count, row.seq, `row ${row.seq} does not link to row ${row.seq - 1}: the earlier row was altered or replaced`);
      }
      const { hash, seq, prevHash: link, ...content } = row;
      if (linkHash(link, seq, contentDigest(content)) !== hash) {
        return bad(count, row.seq, `row ${row.seq} (${row.id}, ${row.action}) was altered: its content does not match its hash`);
      }
      prevHash = hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < BATCH) break;
  }
  const head = await auditRepository.head(db);
  if (!head) return bad(count, expectedSeq, 'the chain head row is missing');
  if (head.seq !== count || head.hash !== prevHash) {
    return bad(count, count + 1, `rows ${count + 1}–${head.seq} removed from the end of the chain (head is at ${head.seq})`);
  }
  return { ok: true, events: count, headHash: prevHash };
}

function bad(events: number, firstBadSeq: number, reason: string): ChainVerdict {
  return { ok: false, events, firstBadSeq, reason };
}
