import { newId } from '@leasehold/protocol/ids';
import { and, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { licenses, plans, seatWaiters } from '../db/schema.js';
import type { RequestContext } from '../request-context.js';

/** What a license's plan says about waiting: how long at most, and how long a place lasts between polls. */
export interface QueueRules {
  maxWaitSeconds: number;
  /** A waiter that has not polled for this long loses its place: one heartbeat interval. */
  graceSeconds: number;
  organisationId: string;
}

export interface Waiter {
  fingerprint: string;
  hostname: string | null;
  userId: string | null;
}

/** Where a waiter stands among the live waiters of its license. */
export interface Place {
  /** 1 for the next in line. */
  position: number;
  waiting: number;
}

export type QueueOutcome = 'granted' | 'gave-up' | 'lapsed';

/** Where waiting times go (the server's metrics). */
export interface QueueMetrics {
  leftQueue(licenseId: string, outcome: QueueOutcome, waitedSeconds: number): void;
}

/**
 * The seat queue of each license, in PostgreSQL, so every replica (and both seat
 * stores) sees one order. The queue only says whose turn it is; the seat store still
 * decides capacity, so a mistake here can make someone wait longer but never
 * over-allocates.
 */
export class SeatQueue {
  constructor(private readonly deps: { db: Db; clock: Clock; metrics: QueueMetrics }) {}

  async rules(licenseId: string): Promise<QueueRules | null> {
    const [row] = await this.deps.db
      .select({ maxWaitSeconds: plans.maxQueueWaitSeconds, graceSeconds: plans.heartbeatIntervalSeconds, organisationId: licenses.organisationId })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(eq(licenses.id, licenseId));
    return row ?? null;
  }

  /** Joins the back of the queue. */
  async join(licenseId: string, rules: QueueRules, who: Waiter, ctx: RequestContext): Promise<string> {
    const now = this.deps.clock.now();
    const id = newId('queueTicket', now.getTime());
    await this.deps.db.transaction(async (tx) => {
      await tx.insert(seatWaiters).values({ id, licenseId, ...who, enqueuedAt: now, lastSeenAt: now });
      await appendAudit(tx, ctx, now, [
        {
          action: 'seat.queued',
          organisationId: rules.organisationId,
          targetType: 'license',
          targetId: licenseId,
          data: { ticket: id, fingerprint: who.fingerprint },
        },
      ]);
    });
    return id;
  }

  /** Keeps a place (the waiter polled): when it joined, or null when the ticket is not a live place of this license and machine. */
  async touch(licenseId: string, ticket: string, fingerprint: string, rules: QueueRules): Promise<Date | null> {
    const now = this.deps.clock.now();
    const kept = await this.deps.db
      .update(seatWaiters)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(seatWaiters.id, ticket),
          eq(seatWaiters.licenseId, licenseId),
          eq(seatWaiters.fingerprint, fingerprint),
          isNull(seatWaiters.endedAt),
          gt(seatWaiters.lastSeenAt, this.#lapsedBefore(now, rules)),
        ),
      )
      .returning({ enqueuedAt: seatWaiters.enqueuedAt });
    return kept[0]?.enqueuedAt ?? null;
  }

  /**
   * The place of `ticket` among the live waiters (null: no ticket, then `waiting` is
   * everyone). Places that lapsed are ended first, so they never hold up the line.
   */
  async place(licenseId: string, ticket: string | null, rules: QueueRules, ctx: RequestContext): Promise<Place> {
    await this.#endLapsed(licenseId, rules, ctx);
    const result = (await this.deps.db.execute(sql`
        select count(*)::int as waiting,
               count(*) filter (where position < (select position from seat_waiters where id = ${ticket ?? ''}))::int as ahead
        from seat_waiters where license_id = ${licenseId} and ended_at is null`)) as unknown as { rows: { waiting: number; ahead: number }[] };
    const [row] = result.rows;
    return { position: (row?.ahead ?? 0) + 1, waiting: row?.waiting ?? 0 };
  }

  async finish(ticket: string, outcome: QueueOutcome, sessionId: string | null, rules: QueueRules, ctx: RequestContext): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const ended = await tx
        .update(seatWaiters)
        .set({ endedAt: now, outcome, sessionId })
        .where(and(eq(seatWaiters.id, ticket), isNull(seatWaiters.endedAt)))
        .returning({ licenseId: seatWaiters.licenseId, enqueuedAt: seatWaiters.enqueuedAt });
      const [row] = ended;
      if (!row) return;
      const waitedSeconds = (now.getTime() - row.enqueuedAt.getTime()) / 1000;
      this.deps.metrics.leftQueue(row.licenseId, outcome, waitedSeconds);
      await appendAudit(tx, ctx, now, [
        {
          action: 'seat.queue-left',
          organisationId: rules.organisationId,
          targetType: 'license',
          targetId: row.licenseId,
          data: { ticket, outcome, sessionId, waitedSeconds: Math.round(waitedSeconds) },
        },
      ]);
    });
  }

  /** Live waiters per license, for the metrics. */
  async lengths(): Promise<Map<string, number>> {
    const rows = await this.deps.db
      .select({ licenseId: seatWaiters.licenseId, waiting: sql<number>`count(*)::int` })
      .from(seatWaiters)
      .where(isNull(seatWaiters.endedAt))
      .groupBy(seatWaiters.licenseId);
    return new Map(rows.map((r) => [r.licenseId, Number(r.waiting)]));
  }

  async #endLapsed(licenseId: string, rules: QueueRules, ctx: RequestContext): Promise<void> {
    const now = this.deps.clock.now();
    const lapsed = await this.deps.db
      .select({ id: seatWaiters.id })
      .from(seatWaiters)
      .where(and(eq(seatWaiters.licenseId, licenseId), isNull(seatWaiters.endedAt), lte(seatWaiters.lastSeenAt, this.#lapsedBefore(now, rules))));
    for (const { id } of lapsed) await this.finish(id, 'lapsed', null, rules, ctx);
  }

  #lapsedBefore(now: Date, rules: QueueRules): Date {
    return new Date(now.getTime() - rules.graceSeconds * 1000);
  }
}
