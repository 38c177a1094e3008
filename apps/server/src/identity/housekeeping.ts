import type { Db } from '../db/database.js';
import { deviceCodeRepository } from '../repositories/device-code-repository.js';
import { refreshTokenRepository } from '../repositories/refresh-token-repository.js';
import { signInRepository } from '../repositories/sign-in-repository.js';

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
  purged += await signInRepository.deleteLoginStatesExpiredBefore(db, cutoff);
  purged += await deviceCodeRepository.deleteExpiredBefore(db, cutoff);
  purged += await refreshTokenRepository.deleteExpiredBefore(db, cutoff);
  purged += await signInRepository.deleteWebSessionsExpiredBefore(db, cutoff);
  return purged;
}
