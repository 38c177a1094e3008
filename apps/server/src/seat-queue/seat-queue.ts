import { newId } from '@leasehold/protocol/ids';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { BatchLoader } from '../kernel/batch-loader.js';
import type { Clock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';
import { seatWaiterRepository } from '../repositories/seat-waiter-repository.js';

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

  /**
   * Every acquire without a ticket asks whether anyone waits: the asks of all licenses that
   * arrive while one count is being read share the next statement (read after they came).
   */
  readonly #openCounts: BatchLoader<string, { waiting: number; lapsed: number }>;

  constructor(private readonly deps: { db: Db; clock: Clock; metrics: QueueMetrics; soleWriter?: boolean }) {
    this.#openCounts = new BatchLoader((licenseIds) => seatWaiterRepository.openCounts(deps.db, licenseIds, deps.clock.now()), 1);
  }

  /**
   * The plan's queue settings for a license. Every acquire asks, so they are kept for a
   * few seconds: a plan change reaches the queue within RULES_TTL_MS.
   */
  async rules(licenseId: string): Promise<QueueRules | null> {
    const now = this.deps.clock.now().getTime();
    const kept = this.#rules.get(licenseId);
    if (kept && kept.until > now) return kept.rules;
    const rules = await seatWaiterRepository.queueSettings(this.deps.db, licenseId);
    if (this.#rules.size >= RULES_KEPT) this.#rules.clear();
    this.#rules.set(licenseId, { rules, until: now + RULES_TTL_MS });
    return rules;
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
    return seatWaiterRepository.liveLinger(
      this.deps.db,
      licenseId,
      { fingerprint: who.fingerprint, userId: who.userId },
      LINGER_PRIORITY,
      this.deps.clock.now(),
    );
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
      // Two joins of one license could otherwise commit in the other order than their
      // positions, and the later place would be served first.
      await seatWaiterRepository.takeJoinTurn(tx, licenseId);
      await seatWaiterRepository.insert(tx, { id, licenseId, ...who, enqueuedAt: now, lastSeenAt: now, lapsesAt: place.lapsesAt, priority: place.priority });
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
    return seatWaiterRepository.touch(this.deps.db, { ticket, licenseId, fingerprint }, now, this.#later(rules.graceSeconds));
  }

  /**
   * The place of `ticket` among the live waiters (null: no ticket, then `waiting` is
   * everyone). Places that lapsed are ended first, so they never hold up the line.
   */
  async place(licenseId: string, ticket: string | null, rules: QueueRules, ctx: RequestContext): Promise<Place> {
    if (this.#quiet.has(licenseId)) return { position: 1, waiting: 0 };
    const generation = this.#generation.get(licenseId) ?? 0;
    // The common case is a license nobody waits for: one statement for the acquires arriving together.
    const row = ticket
      ? await seatWaiterRepository.counts(this.deps.db, licenseId, ticket, this.deps.clock.now())
      : { ahead: 0, ...((await this.#openCounts.load(licenseId)) ?? { waiting: 0, lapsed: 0 }) };
    // Places that lapsed are not counted; they are ended (and audited) on the way.
    if (row.lapsed > 0) await this.#endLapsed(licenseId, rules, ctx);
    const none = row.waiting === 0 && row.lapsed === 0;
    if (this.deps.soleWriter && none && generation === (this.#generation.get(licenseId) ?? 0)) this.#quiet.add(licenseId);
    return { position: row.ahead + 1, waiting: row.waiting };
  }

  async finish(ticket: string, outcome: QueueOutcome, sessionId: string | null, rules: QueueRules, ctx: RequestContext): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const row = await seatWaiterRepository.end(tx, ticket, { endedAt: now, outcome, sessionId });
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
    const rows = await seatWaiterRepository.live(this.deps.db, licenseId, this.deps.clock.now(), limit);
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

  /** Places not yet ended per license (waiters and lingers), for the metrics. */
  lengths(): Promise<Map<string, number>> {
    return seatWaiterRepository.lengths(this.deps.db);
  }

  async #endLapsed(licenseId: string, rules: QueueRules, ctx: RequestContext): Promise<void> {
    const lapsed = await seatWaiterRepository.lapsedTickets(this.deps.db, licenseId, this.deps.clock.now());
    for (const ticket of lapsed) await this.finish(ticket, 'lapsed', null, rules, ctx);
  }

  #later(seconds: number): Date {
    return new Date(this.deps.clock.now().getTime() + seconds * 1000);
  }
}
