import { newId } from '@leasehold/protocol/ids';
import type { TokenResponse } from '@leasehold/protocol/schemas';
import { appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db, Executor } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';
import { refreshTokenRepository } from '../repositories/refresh-token-repository.js';
import type { AccessTokens } from './access-tokens.js';
import { OAuthError } from './oauth-error.js';

/** The prefix of refresh tokens, so secret scanners can find leaked ones. */
const REFRESH_PREFIX = 'lhr_';

/**
 * Access and refresh tokens for signed-in people. A refresh token is spent by its
 * use and replaced by the next of its family; a spent one presented again means
 * it was copied, so the whole family is revoked (OAuth 2.0 Security BCP §4.14.2).
 */
export class TokenService {
  constructor(private readonly deps: { db: Db; clock: Clock; accessTokens: AccessTokens; refreshTtlSeconds: number }) {}

  /** Starts a new family: an access token and the first refresh token. Runs inside the caller's transaction. */
  async issue(tx: Executor, input: { userId: string; clientId: string; scope: string }, now: Date): Promise<TokenResponse> {
    const refreshToken = await this.#insertRefresh(tx, { ...input, familyId: newId('refreshToken', now.getTime()) }, now);
    return this.#answer(input, refreshToken, now);
  }

  /** The refresh token grant: spends the token and returns a new pair, or an OAuth error. */
  async refresh(token: string, clientId: string | undefined, ctx: RequestContext): Promise<TokenResponse> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.db.transaction(async (tx) => {
      const row = await refreshTokenRepository.lockByTokenHash(tx, sha256(token));
      if (!row || row.revokedAt || row.expiresAt <= now) return { kind: 'invalid' as const };
      if (clientId && clientId !== row.clientId) return { kind: 'invalid' as const };
      const actor = { ...ctx, actor: { type: 'user' as const, id: row.userId } };
      if (row.usedAt) {
        await refreshTokenRepository.revokeFamily(tx, row.familyId, now);
        await appendAudit(tx, actor, now, [
          { action: 'refresh_token.reuse_detected', targetType: 'user', targetId: row.userId, data: { familyId: row.familyId, tokenId: row.id } },
        ]);
        return { kind: 'reused' as const };
      }
      await refreshTokenRepository.markUsed(tx, row.id, now);
      const input = { userId: row.userId, clientId: row.clientId, scope: row.scope };
      const next = await this.#insertRefresh(tx, { ...input, familyId: row.familyId }, now);
      await appendAudit(tx, actor, now, [
        { action: 'refresh_token.rotated', targetType: 'user', targetId: row.userId, data: { familyId: row.familyId, tokenId: row.id } },
      ]);
      return { kind: 'rotated' as const, input, next };
    });
    if (outcome.kind === 'invalid') throw new OAuthError('invalid_grant', 'The refresh token is unknown, expired or revoked.');
    if (outcome.kind === 'reused') throw new OAuthError('invalid_grant', 'The refresh token was already used; every token of its sign-in is now revoked.');
    return this.#answer(outcome.input, outcome.next, now);
  }

  /** Sign-out: revokes the family of a refresh token. Unknown tokens are not an error (RFC 7009 §2.2). */
  async revokeFamily(token: string, ctx: RequestContext): Promise<boolean> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await refreshTokenRepository.findByTokenHash(tx, sha256(token));
      if (!row) return false;
      const revoked = await refreshTokenRepository.revokeFamily(tx, row.familyId, now);
      if (revoked === 0) return false;
      await appendAudit(tx, { ...ctx, actor: { type: 'user', id: row.userId } }, now, [
        { action: 'refresh_token.revoked', targetType: 'user', targetId: row.userId, data: { familyId: row.familyId, reason: 'sign-out' } },
      ]);
      return true;
    });
  }

  async #insertRefresh(tx: Executor, input: { userId: string; clientId: string; scope: string; familyId: string }, now: Date): Promise<string> {
    const token = `${REFRESH_PREFIX}${randomSecret(32)}`;
    await refreshTokenRepository.insert(tx, {
      id: newId('refreshToken', now.getTime()),
      familyId: input.familyId,
      userId: input.userId,
      clientId: input.clientId,
      scope: input.scope,
      tokenHash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.refreshTtlSeconds * 1000),
    });
    return token;
  }

  async #answer(input: { userId: string; clientId: string; scope: string }, refreshToken: string, now: Date): Promise<TokenResponse> {
    const accessToken = await this.deps.accessTokens.issue(input, now);
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: this.deps.accessTokens.expiresIn,
      ...(input.scope ? { scope: input.scope } : {}),
    };
  }
}
