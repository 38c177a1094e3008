import { timingSafeEqual } from 'node:crypto';
import { newId } from '@leasehold/protocol/ids';
import { appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import type { RequestContext } from '../kernel/request-context.js';
import { adminSessionRepository } from '../repositories/admin-session-repository.js';
import type { AuthenticatedKey } from '../services/api-key-service.js';

/** The browser cookie of a dashboard session opened with an admin API key. */
export const ADMIN_SESSION_COOKIE = 'lh_admin';
/** Readable by the dashboard's scripts, which echo it in `x-csrf-token` on every change. */
export const ADMIN_CSRF_COOKIE = 'lh_admin_csrf';

/** The CSRF token of a dashboard session: derived from its secret, which only the cookie holds. */
const adminCsrfFor = (secret: string) => sha256(`admin-csrf:${secret}`).slice(0, 43);

export function csrfEquals(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Dashboard sessions opened with an admin API key: the browser holds a random secret,
 * the database its hash. Signing out revokes the row; revoking the key ends them all.
 */
export class AdminSessions {
  constructor(private readonly deps: { db: Db; now: () => Date }) {}

  async open(apiKeyId: string, ttlSeconds: number, ctx: RequestContext): Promise<{ secret: string; csrf: string }> {
    const now = this.deps.now();
    const secret = randomSecret(32);
    const id = newId('webSession', now.getTime());
    await this.deps.db.transaction(async (tx) => {
      await adminSessionRepository.insert(tx, {
        id,
        apiKeyId,
        secretHash: sha256(secret),
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      });
      await appendAudit(tx, ctx, now, [{ action: 'dashboard_session.created', targetType: 'api-key', targetId: apiKeyId, data: { dashboardSessionId: id } }]);
    });
    return { secret, csrf: adminCsrfFor(secret) };
  }

  /** The live key behind a session secret, or null when unknown, ended, expired or its key is revoked. */
  async check(secret: string): Promise<{ key: AuthenticatedKey; csrf: string } | null> {
    const now = this.deps.now();
    const row = await adminSessionRepository.findLiveKey(this.deps.db, sha256(secret), now);
    if (!row) return null;
    return { key: { id: row.id, scopes: new Set(row.scopes), organisationId: row.organisationId }, csrf: adminCsrfFor(secret) };
  }

  /** Sign-out: the secret stops working at once, wherever it was copied to. */
  async end(secret: string, ctx: RequestContext): Promise<boolean> {
    const now = this.deps.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await adminSessionRepository.revoke(tx, sha256(secret), now);
      if (!row) return false;
      await appendAudit(tx, ctx, now, [
        { action: 'dashboard_session.revoked', targetType: 'api-key', targetId: row.apiKeyId, data: { dashboardSessionId: row.id } },
      ]);
      return true;
    });
  }
}
