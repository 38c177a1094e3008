import { newId } from '@leasehold/protocol/ids';
import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { licenses, plans, seatWaiters } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';

/** What a license's plan says about waiting: how long at most, how long a place lasts between polls, lingering, priorities. */
export interface QueueRules {
  maxWaitSeconds: number;
  /** A waiter that has not polled for this long loses its place: one heartbeat interval. */
  graceSeconds: number;
  /** How long a released seat stays held back for the machine (or person) that released it. */
  lingerSeconds: number;
  /** Whether waiters' priorities order the queue. */
  priorities: boolean;
  organisationId: string;
}

/** How long the queue settings of a license are used before they are read again, and for how many licenses. */
const RULES_TTL_MS = 5_000;
const RULES_KEPT = 10_000;

/** Lingers go before every waiter: the seat is still the releaser's for a moment. */
const LINGER_PRIORITY = 1_000;

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
  readonly #rules = new Map<string, { rules: QueueRules | null; until: number }>();

  /**
   * With the embedded database this process is the queue's only writer, so it can know
   * which licenses have no place at all and skip the statement. A place added while a
   * count was read bumps the license's generation, so that count is not trusted.
   */
  readonly #quiet = new Set<string>();
  readonly #generation = new Map<string, number>();

  constructor(private readonly deps: { db: Db; clock: Clock; metrics: QueueMetrics; soleWriter?: boolean }) {}

  /**
   * The plan's queue settings for a license. Every acquire asks, so they are kept for a
   * few seconds: a plan change reaches the queue within RULES_TTL_MS.
   */
  async rules(licenseId: string): Promise<QueueRules | null> {
    const now = this.deps.clock.now().getTime();
    const kept = this.#rules.get(licenseId);
    if (kept && kept.until > now) return kept.rules;
    const rules = await this.#readRules(licenseId);
    if (this.#rules.size >= RULES_KEPT) this.#rules.clear();
    this.#rules.set(licenseId, { rules, until: now + RULES_TTL_MS });
    return rules;
  }

  async #readRules(licenseId: string): Promise<QueueRules | null> {
    const [row] = await this.deps.db
      .select({
        maxWaitSeconds: plans.maxQueueWaitSeconds,
        graceSeconds: plans.heartbeatIntervalSeconds,
        lingerSeconds: plans.lingerSeconds,
        priorities: plans.queuePriorities,
        organisationId: licenses.organisationId,
      })
      .from(licenses)
      .innerJoin(plans, eq(plans.id, licenses.planId))
      .where(eq(licenses.id, licenseId));
    return row ?? null;
  }

  /** Joins the back of the queue (of its priority class: higher goes first). */
  async join(licenseId: string, rules: QueueRules, who: Waiter, ctx: RequestContext, priority = 0): Promise<string> {
    return this.#add(licenseId, rules, who, ctx, { priority, lapsesAt: this.#later(rules.graceSeconds), action: 'seat.queued' });
  }

  /** Holds a just-released seat back for the same machine or person, for the plan's linger. */
  async linger(licenseId: string, rules: QueueRules, who: Waiter, ctx: RequestContext): Promise<string> {
    return this.#add(licenseId, rules, who, ctx, { priority: LINGER_PRIORITY, lapsesAt: this.#later(rules.lingerSeconds), action: 'seat.lingering' });
  }

  /** The live linger held back for this machine or person, if any: it is that caller's place. */
  async lingerFor(licenseId: string, who: Pick<Waiter, 'fingerprint' | 'userId'>): Promise<string | null> {
    if (this.#quiet.has(licenseId)) return null;
    const sameCaller = who.userId
      ? or(eq(seatWaiters.fingerprint, who.fingerprint), eq(seatWaiters.userId, who.userId))
      : eq(seatWaiters.fingerprint, who.fingerprint);
    const [row] = await this.deps.db
      .select({ id: seatWaiters.id })
      .from(seatWaiters)
      .where(
        and(
          eq(seatWaiters.licenseId, licenseId),
          isNull(seatWaiters.endedAt),
          eq(seatWaiters.priority, LINGER_PRIORITY),
          gt(seatWaiters.lapsesAt, this.deps.clock.now()),
          sameCaller,
        ),
      )
      .limit(1);
    return row?.id ?? null;
  }

  async #add(
    licenseId: string,
    rules: QueueRules,
    who: Waiter,
    ctx: RequestContext,
    place: { priority: number; lapsesAt: Date; action: string },
  ): Promise<string> {
    const now = this.deps.clock.now();
    const id = newId('queueTicket', now.getTime());
    this.#generation.set(licenseId, (this.#generation.get(licenseId) ?? 0) + 1);
    this.#quiet.delete(licenseId);
    await this.deps.db.transaction(async (tx) => {
      // A place's position is drawn from a sequence at insert, but it only counts once
      // committed: two joins of one license could commit in the other order, and the
      // later place would be served first. Joins of a license take turns until commit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${licenseId}, 0))`);
      await tx.insert(seatWaiters).values({ id, licenseId, ...who, enqueuedAt: now, lastSeenAt: now, lapsesAt: place.lapsesAt, priority: place.priority });
      await appendAudit(tx, ctx, now, [
        {
          action: place.action,
          organisationId: rules.organisationId,
          targetType: 'license',
          targetId: licenseId,
          data: { ticket: id, fingerprint: who.fingerprint, userId: who.userId, until: place.lapsesAt.toISOString(), priority: place.priority },
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
      // A linger keeps its own end; a waiter's place lasts one more grace.
      .set({ lastSeenAt: now, lapsesAt: sql`greatest(${seatWaiters.lapsesAt}, ${this.#later(rules.graceSeconds)})` })
      .where(
        and(
          eq(seatWaiters.id, ticket),
          eq(seatWaiters.licenseId, licenseId),
          eq(seatWaiters.fingerprint, fingerprint),
          isNull(seatWaiters.endedAt),
          gt(seatWaiters.lapsesAt, now),
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
    if (this.#quiet.has(licenseId)) return { position: 1, waiting: 0 };
    const generation = this.#generation.get(licenseId) ?? 0;
    // One statement on every acquire: the common case is a license nobody waits for.
    const now = this.deps.clock.now().toISOString();
    const result = (await this.deps.db.execute(sql`
        with mine as (select priority, position from seat_waiters where id = ${ticket ?? ''})
        select count(*) filter (where w.lapses_at > ${now}::timestamptz)::int as waiting,
               count(*) filter (where w.lapses_at > ${now}::timestamptz and (w.priority, -w.position) > (select priority, -position from mine))::int as ahead,
               count(*) filter (where w.lapses_at <= ${now}::timestamptz)::int as lapsed
        from seat_waiters w where w.license_id = ${licenseId} and w.ended_at is null`)) as unknown as {
      rows: { waiting: number; ahead: number; lapsed: number }[];
    };
    const [row] = result.rows;
    // Places that lapsed are not counted; they are ended (and audited) on the way.
    if ((row?.lapsed ?? 0) > 0) await this.#endLapsed(licenseId, rules, ctx);
    const none = (row?.waiting ?? 0) === 0 && (row?.lapsed ?? 0) === 0;
    if (this.deps.soleWriter && none && generation === (this.#generation.get(licenseId) ?? 0)) this.#quiet.add(licenseId);
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

  /** The live places of a license in the order seats go to them, as the dashboard shows them. */
  async list(licenseId: string, limit = 500) {
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .select()
      .from(seatWaiters)
      .where(and(eq(seatWaiters.licenseId, licenseId), isNull(seatWaiters.endedAt), gt(seatWaiters.lapsesAt, now)))
      .orderBy(desc(seatWaiters.priority), asc(seatWaiters.position))
      .limit(limit);
    return rows.map((r, i) => ({
      ticket: r.id,
      position: i + 1,
      kind: r.priority === LINGER_PRIORITY ? ('lingering' as const) : ('waiting' as const),
      priority: r.priority > 0 && r.priority !== LINGER_PRIORITY ? ('high' as const) : r.priority < 0 ? ('low' as const) : ('normal' as const),
      fingerprint: r.fingerprint,
      hostname: r.hostname,
      userId: r.userId,
      since: r.enqueuedAt.toISOString(),
      lapsesAt: r.lapsesAt.toISOString(),
    }));
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
      .where(and(eq(seatWaiters.licenseId, licenseId), isNull(seatWaiters.endedAt), lte(seatWaiters.lapsesAt, now)));
    for (const { id } of lapsed) await this.finish(id, 'lapsed', null, rules, ctx);
  }

  #later(seconds: number): Date {
    return new Date(this.deps.clock.now().getTime() + seconds * 1000);
  }
}
