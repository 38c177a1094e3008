import type { Session } from '@leasehold/protocol/schemas';
import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { sessions, users } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import type { OrganisationScope } from '../kernel/organisation-scope.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { QueueSignals } from '../seat-queue/queue-signals.js';
import type { SeatStore } from '../seats/seat-store.js';
import { iso, isoOrNull, pageOf } from './paging.js';

type SessionRow = typeof sessions.$inferSelect;

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
    const rows = await this.deps.db
      .select()
      .from(sessions)
      .where(
        and(
          isNull(sessions.endedAt),
          gt(sessions.expiresAt, this.deps.clock.now()),
          query.cursor ? gt(sessions.id, query.cursor) : undefined,
          query.licenseId ? eq(sessions.licenseId, query.licenseId) : undefined,
          query.organisationId ? eq(sessions.organisationId, query.organisationId) : undefined,
          query.userId ? eq(sessions.userId, query.userId) : undefined,
          scope.organisationId ? eq(sessions.organisationId, scope.organisationId) : undefined,
        ),
      )
      .orderBy(asc(sessions.id))
      .limit(query.limit + 1);
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
    const found = await this.deps.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, ids));
    return new Map(found.map((u) => [u.id, u.email]));
  }

  async forceRelease(sessionId: string, scope: OrganisationScope, ctx: RequestContext) {
    const outcome = await this.deps.seats.forceRelease(sessionId, scope, ctx);
    if (outcome.kind === 'not-found') throw notFound('live session', sessionId);
    await this.deps.queueSignals.announce(outcome.licenseId);
    return { sessionId, released: true as const };
  }
}
