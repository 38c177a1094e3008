import type { Session } from '@leasehold/protocol/schemas';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type SessionRow, sessionRepository } from '../repositories/session-repository.js';
import type { QueueSignals } from '../seat-queue/queue-signals.js';
import type { SeatStore } from '../seats/seat-store.js';
import { iso, isoOrNull, pageOf } from './paging.js';

const sessionView = (r: SessionRow, userEmail: string | null): Session => ({
  id: r.id,
  licenseId: r.licenseId,
  organisationId: r.organisationId,
  userId: r.userId,
  userEmail,
  fingerprint: r.fingerprint,
  hostname: r.hostname,
  platform: r.platform,
  clientVersion: r.clientVersion,
  ip: r.ip,
  startedAt: iso(r.startedAt),
  lastHeartbeatAt: iso(r.lastHeartbeatAt),
  expiresAt: iso(r.expiresAt),
  borrowedUntil: isoOrNull(r.borrowedUntil),
});

/** Live seats as administrators and organisation owners see them. */
export class SessionService {
  constructor(private readonly deps: { db: Db; clock: Clock; seats: SeatStore; queueSignals: QueueSignals }) {}

  async listLive(
    query: { limit: number; cursor?: string | undefined; licenseId?: string | undefined; organisationId?: string | undefined; userId?: string | undefined },
    scope: OrganisationScope,
  ) {
    const filter = { scopedTo: scope.organisationId, licenseId: query.licenseId, organisationId: query.organisationId, userId: query.userId };
    const rows = await sessionRepository.pageOfLive(this.deps.db, filter, { limit: query.limit + 1, cursor: query.cursor }, this.deps.clock.now());
    const page = pageOf(rows, query.limit, (r) => r.id);
    // The Redis store copies heartbeats to PostgreSQL lazily; it knows the latest ones.
    const latest = (await this.deps.seats.latestHeartbeats?.(page.data)) ?? new Map();
    const emails = await this.#emails(page.data);
    return {
      data: page.data.map((r) => sessionView({ ...r, ...latest.get(r.id) }, r.userId ? (emails.get(r.userId) ?? null) : null)),
      nextCursor: page.nextCursor,
    };
  }

  /** Who the signed-in holders of a page are: one lookup for the page, not one per row. */
  async #emails(rows: SessionRow[]): Promise<Map<string, string | null>> {
    const ids = [...new Set(rows.map((r) => r.userId).filter((id): id is string => id !== null))];
    if (ids.length === 0) return new Map();
    return sessionRepository.holderEmails(this.deps.db, ids);
  }

  async forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext) {
    const outcome = await this.deps.seats.forceRelease(sessionId, scope, ctx);
    if (outcome.kind === 'not-found') throw notFound('live session', sessionId);
    await this.deps.queueSignals.announce(outcome.licenseId);
    return { sessionId, released: true as const };
  }
}
