import { lt } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { deviceCodes, loginStates, refreshTokens, webSessions } from '../db/schema.js';

/** Expired rows are kept a day past their expiry, so an error message can still tell "expired" from "unknown". */
const KEEP_MS = 86_400_000;

/**
 * Deletes sign-in states, device codes, refresh tokens and browser sessions that
 * expired more than a day ago: none of them can be used again, and a spent refresh
 * token matters for reuse detection only while it could still have been valid.
 */
export async function purgeExpiredIdentityRows(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - KEEP_MS);
  let purged = 0;
  for (const table of [loginStates, deviceCodes, refreshTokens, webSessions]) {
    const rows = await db.delete(table).where(lt(table.expiresAt, cutoff)).returning({ id: table.id });
    purged += rows.length;
  }
  return purged;
}
