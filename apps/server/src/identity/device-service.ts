import { randomInt } from 'node:crypto';
import { newId } from '@leasehold/protocol/ids';
import type { TokenResponse } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { deviceCodeRepository } from '../repositories/device-code-repository.js';
import { isUniqueViolation } from '../services/unique-violation.js';
import { OAuthError } from './oauth-error.js';
import type { TokenService } from './token-service.js';

// RFC 8628 §6.1: consonants only (no vowels, so no words), case-insensitive, 8 characters ≈ 34 bits.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export interface DeviceServiceDeps {
  db: Db;
  clock: Clock;
  tokens: TokenService;
  clientIds: string[];
  ttlSeconds: number;
  intervalSeconds: number;
  verificationUri: string;
}

/** Normalises what a person typed: upper case, no dashes or spaces. */
function normaliseUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z]/g, '');
}

const formatUserCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * The device authorization grant (RFC 8628) for command-line programs: the program
 * gets a device code to poll with and a short user code that a signed-in person
 * approves in a browser.
 */
export class DeviceService {
  constructor(private readonly deps: DeviceServiceDeps) {}

  async start(input: { clientId: string; scope: string | undefined }) {
    if (!this.deps.clientIds.includes(input.clientId)) throw new OAuthError('invalid_client', 'Unknown client_id.');
    const now = this.deps.clock.now();
    const deviceCode = randomSecret(32);
    for (let attempt = 0; ; attempt++) {
      let userCode = '';
      for (let i = 0; i < 8; i++) userCode += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
      try {
        await deviceCodeRepository.insert(this.deps.db, {
          id: newId('deviceCode', now.getTime()),
          deviceCodeHash: sha256(deviceCode),
          userCode,
          clientId: input.clientId,
          scope: input.scope ?? '',
          status: 'pending',
          intervalSeconds: this.deps.intervalSeconds,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.deps.ttlSeconds * 1000),
        });
      } catch (error) {
        if (isUniqueViolation(error) && attempt < 5) continue;
        throw error;
      }
      const shown = formatUserCode(userCode);
      return {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: this.deps.verificationUri,
        verification_uri_complete: `${this.deps.verificationUri}?user_code=${shown}`,
        expires_in: this.deps.ttlSeconds,
        interval: this.deps.intervalSeconds,
      };
    }
  }

  /** The pending request a person typed the code of, for the approval page; null when unknown or expired. */
  async pending(userCodeInput: string): Promise<{ userCode: string; clientId: string; scope: string } | null> {
    const userCode = normaliseUserCode(userCodeInput);
    if (userCode.length !== 8) return null;
    const row = await deviceCodeRepository.findPendingByUserCode(this.deps.db, userCode);
    if (!row || row.expiresAt <= this.deps.clock.now()) return null;
    return { userCode: formatUserCode(row.userCode), clientId: row.clientId, scope: row.scope };
  }

  /** A signed-in person approves or denies the request with this user code. */
  async decide(userCodeInput: string, userId: string, approve: boolean, ctx: RequestContext): Promise<void> {
    const userCode = normaliseUserCode(userCodeInput);
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const row = await deviceCodeRepository.lockPendingByUserCode(tx, userCode);
      if (!row || row.expiresAt <= now) throw new LeaseholdError('NOT_FOUND', 'No pending sign-in has this code, or it expired. Start the sign-in again.');
      await deviceCodeRepository.decide(tx, row.id, approve ? 'approved' : 'denied', userId);
      await appendAudit(tx, ctx, now, [
        {
          action: approve ? 'device_code.approved' : 'device_code.denied',
          targetType: 'user',
          targetId: userId,
          data: { deviceCodeId: row.id, clientId: row.clientId },
        },
      ]);
    });
  }

  /** One poll of the program (RFC 8628 §3.4–3.5). */
  async poll(deviceCode: string, clientId: string | undefined, ctx: RequestContext): Promise<TokenResponse> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.db.transaction(async (tx) => {
      const row = await deviceCodeRepository.lockByDeviceCodeHash(tx, sha256(deviceCode));
      if (!row || (clientId && clientId !== row.clientId)) return { error: new OAuthError('invalid_grant', 'Unknown device code.') };
      if (row.status === 'consumed') return { error: new OAuthError('invalid_grant', 'This device code was already exchanged for tokens.') };
      if (row.expiresAt <= now) return { error: new OAuthError('expired_token', 'The device code expired. Start the sign-in again.') };
      if (row.status === 'denied') return { error: new OAuthError('access_denied', 'The sign-in was declined.') };
      if (row.status === 'pending') {
        // Polling faster than the interval earns slow_down and a 5 s longer interval (§3.5).
        const tooSoon = row.lastPolledAt !== null && now.getTime() - row.lastPolledAt.getTime() < row.intervalSeconds * 1000;
        await deviceCodeRepository.recordPoll(tx, row.id, now, tooSoon ? row.intervalSeconds + 5 : row.intervalSeconds);
        return tooSoon
          ? { error: new OAuthError('slow_down', `Poll at most every ${row.intervalSeconds + 5} seconds.`) }
          : { error: new OAuthError('authorization_pending', 'Waiting for the person to approve the sign-in.') };
      }
      const userId = row.userId as string;
      await deviceCodeRepository.markConsumed(tx, row.id, now);
      const tokens = await this.deps.tokens.issue(tx, { userId, clientId: row.clientId, scope: row.scope }, now);
      await appendAudit(tx, { ...ctx, actor: { type: 'user', id: userId } }, now, [
        { action: 'device_code.exchanged', targetType: 'user', targetId: userId, data: { deviceCodeId: row.id, clientId: row.clientId } },
      ]);
      return { tokens };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.tokens;
  }
}
