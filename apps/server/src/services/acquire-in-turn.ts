import type { Clock } from '../kernel/clock.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { QueueSignals } from '../seat-queue/queue-signals.js';
import type { Place, QueueRules, SeatQueue, Waiter } from '../seat-queue/seat-queue.js';
import type { AcquireOutcome } from '../seats/seat-store.js';

/** The longest one request is held; then it answers with its place and the client asks again. */
const HOLD_MS = 20_000;
/** How often a held waiter looks again without a signal (a lease that ran out frees a seat silently). */
const RECHECK_MS = 1_000;

export interface QueuedAcquire extends Waiter {
  licenseId: string;
  /** Seconds the caller is willing to wait; 0 or absent: not at all. */
  wait: number;
  ticket: string | null;
  /** Its class in the queue, when the plan orders waiters by priority. */
  priority: 'high' | 'normal' | 'low';
}

const PRIORITY_CLASS = { high: 1, normal: 0, low: -1 } as const;

export type TurnOutcome =
  | { kind: 'decided'; outcome: AcquireOutcome }
  /** No seat for now: the caller waits in the queue at `place` (ticket set), or is behind others and did not ask to wait. */
  | { kind: 'queued'; ticket: string | null; place: Place; pollWithinSeconds: number; lastRefusal: Extract<AcquireOutcome, { kind: 'no-seat' }> | null };

/**
 * Takes a seat in turn. Seats that free go to the license's live waiters in the
 * order they came (by priority class first, where the plan has them), after any seat
 * that lingers for the machine that gave it back: only the first in line tries the
 * seat store, so a newcomer (with or without `wait`) never takes a seat someone is
 * waiting for. A waiter served
 * wakes the next one, and a seat given back anywhere wakes the line (QueueSignals).
 * The seat store still decides capacity; `attempt` carries the caller's idempotency
 * key, so a grant whose answer was lost is found again by the next poll.
 */
export async function acquireInTurn(
  deps: { queue: SeatQueue; signals: QueueSignals; clock: Clock },
  request: QueuedAcquire,
  attempt: () => Promise<AcquireOutcome>,
  ctx: RequestContext,
  abort?: AbortSignal,
): Promise<TurnOutcome> {
  const { queue, signals, clock } = deps;
  const rules = await queue.rules(request.licenseId);
  // No such license (the store answers that), or a plan with neither a queue nor lingering seats.
  if (!rules || (rules.maxWaitSeconds === 0 && rules.lingerSeconds === 0)) return { kind: 'decided', outcome: await attempt() };
  const now = () => clock.now().getTime();
  // A seat this machine (or person) just gave back and that lingers for it is its place.
  let ticket = (await keptTicket(queue, request, rules)) ?? (rules.lingerSeconds > 0 ? await queue.lingerFor(request.licenseId, request) : null);
  const enqueuedAt = ticket ? await queue.touch(request.licenseId, ticket, request.fingerprint, rules) : null;
  const waitMs = Math.min(request.wait, rules.maxWaitSeconds) * 1000;
  const holdUntil = now() + Math.min(waitMs, HOLD_MS);
  // The plan bounds the whole wait, across every poll of one place.
  const giveUpAt = (enqueuedAt?.getTime() ?? now()) + rules.maxWaitSeconds * 1000;
  let lastRefusal: Extract<AcquireOutcome, { kind: 'no-seat' }> | null = null;
  for (;;) {
    const place = await queue.place(request.licenseId, ticket, rules, ctx);
    const myTurn = ticket ? place.position === 1 : place.waiting === 0;
    if (myTurn && !abort?.aborted) {
      const outcome = await attempt();
      if (outcome.kind !== 'no-seat') {
        if (ticket)
          await queue.finish(
            ticket,
            outcome.kind === 'granted' ? 'granted' : 'gave-up',
            outcome.kind === 'granted' ? outcome.session.sessionId : null,
            rules,
            ctx,
          );
        // The next in line may find a seat too.
        if (ticket && outcome.kind === 'granted') await signals.announce(request.licenseId);
        return { kind: 'decided', outcome };
      }
      lastRefusal = outcome;
    }
    const pollWithinSeconds = rules.graceSeconds;
    if (waitMs === 0) {
      if (ticket) await queue.finish(ticket, 'gave-up', null, rules, ctx);
      return lastRefusal && place.waiting === 0
        ? { kind: 'decided', outcome: lastRefusal }
        : { kind: 'queued', ticket: null, place: { position: place.waiting + 1, waiting: place.waiting }, pollWithinSeconds, lastRefusal };
    }
    if (!ticket) {
      ticket = await queue.join(request.licenseId, rules, request, ctx, rules.priorities ? PRIORITY_CLASS[request.priority] : 0);
      continue;
    }
    if (now() >= giveUpAt) {
      // Waited as long as the plan allows.
      await queue.finish(ticket, 'gave-up', null, rules, ctx);
      await signals.announce(request.licenseId);
      return { kind: 'queued', ticket: null, place, pollWithinSeconds, lastRefusal };
    }
    if (now() >= holdUntil) return { kind: 'queued', ticket, place, pollWithinSeconds, lastRefusal };
    const nextFree = lastRefusal?.nextFreeAt?.getTime() ?? Number.POSITIVE_INFINITY;
    await signals.wait(request.licenseId, Math.min(RECHECK_MS, holdUntil - now(), Math.max(0, nextFree - now())), abort);
    if (abort?.aborted) {
      // The caller hung up while held: it is not coming back for this place, so the line moves on now.
      await queue.finish(ticket, 'gave-up', null, rules, ctx);
      await signals.announce(request.licenseId);
      return { kind: 'queued', ticket: null, place, pollWithinSeconds, lastRefusal };
    }
    await queue.touch(request.licenseId, ticket, request.fingerprint, rules);
  }
}

/** The caller's ticket when it is still a live place; a lapsed one joins again at the back. */
async function keptTicket(queue: SeatQueue, request: QueuedAcquire, rules: QueueRules): Promise<string | null> {
  if (!request.ticket) return null;
  return (await queue.touch(request.licenseId, request.ticket, request.fingerprint, rules)) ? request.ticket : null;
}
