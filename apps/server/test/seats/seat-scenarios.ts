import type { SeatBasis } from '@leasehold/protocol/schemas';
import * as rules from '../../src/seats/seat-rules.js';
import { acquireBody, type Harness, seedLicense } from '../support/harness.js';

/**
 * One table of seat scenarios, run against the pure rules (through SeatModel), the SQL
 * store and the Redis store (through the HTTP API on a manual clock): a rule that
 * drifts in one of them fails here.
 */
export type Step =
  | { acquire: string; idem?: string; expect: 'granted' | 'reused' | 'no-seat' | 'conflict'; used?: number }
  | { heartbeat: string; expect: 'renewed' | 'reacquired' | 'expired' | 'not-found'; leaseEndsIn?: number }
  | { release: string }
  | { borrow: string; seconds: number; expect: 'borrowed' | 'borrow-refused'; leaseEndsIn?: number }
  | { advance: number };

export interface Scenario {
  name: string;
  terms: { seats: number; overage?: number; seatBasis?: SeatBasis; leaseTtlSeconds: number; heartbeatIntervalSeconds: number; maxBorrowSeconds?: number };
  steps: Step[];
}

const lease = { leaseTtlSeconds: 10, heartbeatIntervalSeconds: 2 };

export const SCENARIOS: Scenario[] = [
  {
    name: 'seats plus overage, and no more',
    terms: { seats: 2, overage: 1, ...lease },
    steps: [
      { acquire: 'a', expect: 'granted', used: 1 },
      { acquire: 'b', expect: 'granted', used: 2 },
      { acquire: 'c', expect: 'granted', used: 3 },
      { acquire: 'd', expect: 'no-seat', used: 3 },
    ],
  },
  {
    name: 'a lease frees its seat when it runs out, not before',
    terms: { seats: 1, ...lease },
    steps: [{ acquire: 'a', expect: 'granted' }, { advance: 9 }, { acquire: 'b', expect: 'no-seat' }, { advance: 1 }, { acquire: 'b', expect: 'granted' }],
  },
  {
    name: 'heartbeats extend the lease by the TTL',
    terms: { seats: 1, ...lease },
    steps: [
      { acquire: 'a', expect: 'granted' },
      { advance: 8 },
      { heartbeat: 'a', expect: 'renewed', leaseEndsIn: 10 },
      { advance: 8 },
      { acquire: 'b', expect: 'no-seat' },
    ],
  },
  {
    name: 'a lapsed session takes a free seat again',
    terms: { seats: 1, ...lease },
    steps: [
      { acquire: 'a', expect: 'granted' },
      { advance: 11 },
      { heartbeat: 'a', expect: 'reacquired', leaseEndsIn: 10 },
      { acquire: 'b', expect: 'no-seat' },
    ],
  },
  {
    name: 'a lapsed session whose seat was taken is expired',
    terms: { seats: 1, ...lease },
    steps: [{ acquire: 'a', expect: 'granted' }, { advance: 11 }, { acquire: 'b', expect: 'granted' }, { heartbeat: 'a', expect: 'expired' }],
  },
  {
    name: 'release frees the seat at once',
    terms: { seats: 1, ...lease },
    steps: [{ acquire: 'a', expect: 'granted' }, { release: 'a' }, { acquire: 'b', expect: 'granted' }, { heartbeat: 'a', expect: 'not-found' }],
  },
  {
    name: 'machine basis: copies on one machine share a seat',
    terms: { seats: 1, seatBasis: 'machine', ...lease },
    steps: [
      { acquire: 'a', expect: 'granted', used: 1 },
      { acquire: 'a', expect: 'granted', used: 1 },
      { acquire: 'b', expect: 'no-seat', used: 1 },
    ],
  },
  {
    name: 'session basis: every copy counts',
    terms: { seats: 2, seatBasis: 'session', ...lease },
    steps: [
      { acquire: 'a', expect: 'granted' },
      { acquire: 'a', expect: 'granted' },
      { acquire: 'a', expect: 'no-seat', used: 2 },
    ],
  },
  {
    name: 'a repeated idempotency key returns the same session; another machine is refused',
    terms: { seats: 1, seatBasis: 'session', ...lease },
    steps: [
      { acquire: 'a', idem: 'start-0001', expect: 'granted' },
      { advance: 5 },
      { acquire: 'a', idem: 'start-0001', expect: 'reused', used: 1 },
      { acquire: 'b', idem: 'start-0001', expect: 'conflict' },
    ],
  },
  {
    name: 'a borrow holds the seat until it ends, within the plan maximum',
    terms: { seats: 1, maxBorrowSeconds: 300, ...lease },
    steps: [
      { acquire: 'a', expect: 'granted' },
      { borrow: 'a', seconds: 600, expect: 'borrow-refused' },
      { borrow: 'a', seconds: 120, expect: 'borrowed', leaseEndsIn: 120 },
      { advance: 100 },
      { acquire: 'b', expect: 'no-seat' },
      { advance: 21 },
      { acquire: 'b', expect: 'granted' },
    ],
  },
];

/** What a store answered at one step, in the table's words. */
export interface Observed {
  result: string;
  used?: number;
  leaseEndsIn?: number;
}

/** The pure rules as a tiny in-memory store. */
export class SeatModel {
  #now = 0;
  #sessions: { id: number; fp: string; key: string; exp: number; bor: number | null; idem: string | null; ended: boolean }[] = [];
  #latest = new Map<string, number>();

  constructor(private readonly terms: Scenario['terms']) {}

  #live() {
    return this.#sessions.filter((s) => !s.ended && rules.isLive(s.exp, this.#now));
  }
  #used(exceptId?: number) {
    return new Set(
      this.#live()
        .filter((s) => s.id !== exceptId)
        .map((s) => s.key),
    ).size;
  }
  #cap() {
    return rules.capacity({ seats: this.terms.seats, overage: this.terms.overage ?? 0 });
  }
  #key(fp: string, id: number) {
    return (this.terms.seatBasis ?? 'machine') === 'session' ? `s:${id}` : `m:${fp}`;
  }

  step(step: Step): Observed | null {
    if ('advance' in step) {
      this.#now += step.advance * 1000;
      return null;
    }
    if ('acquire' in step) {
      const fp = step.acquire;
      if (step.idem) {
        const earlier = this.#sessions.find((s) => s.idem === step.idem);
        if (earlier && earlier.fp !== fp) return { result: 'conflict' };
        if (earlier && !earlier.ended && rules.isLive(earlier.exp, this.#now)) {
          earlier.exp = rules.leaseEnd(this.#now, this.terms.leaseTtlSeconds, earlier.bor);
          return { result: 'reused', used: this.#used() };
        }
      }
      const id = this.#sessions.length + 1;
      const key = this.#key(fp, id);
      const mine = this.#live().some((s) => s.key === key);
      const used = this.#used();
      if (rules.seatDecision({ used, mine, capacity: this.#cap() }) === 'refused') return { result: 'no-seat', used };
      this.#sessions.push({ id, fp, key, exp: rules.leaseEnd(this.#now, this.terms.leaseTtlSeconds, null), bor: null, idem: step.idem ?? null, ended: false });
      this.#latest.set(fp, id);
      return { result: 'granted', used: mine ? used : used + 1 };
    }
    const fp = 'heartbeat' in step ? step.heartbeat : 'release' in step ? step.release : step.borrow;
    const s = this.#sessions.find((x) => x.id === this.#latest.get(fp));
    if ('release' in step) {
      if (s) s.ended = true;
      return null;
    }
    if (!s || s.ended) return { result: 'not-found' };
    if ('borrow' in step) {
      const d = rules.borrowDecision(this.#now, step.seconds, this.terms.maxBorrowSeconds ?? 0, this.terms.leaseTtlSeconds, null);
      if (d.kind === 'refused') return { result: 'borrow-refused' };
      s.exp = d.expiresAtMs;
      s.bor = d.borrowedUntilMs;
      return { result: 'borrowed', leaseEndsIn: (s.exp - this.#now) / 1000 };
    }
    const lapsed = !rules.isLive(s.exp, this.#now);
    if (lapsed) {
      const mine = this.#live().some((o) => o.key === s.key && o.id !== s.id);
      if (rules.seatDecision({ used: this.#used(s.id), mine, capacity: this.#cap() }) === 'refused') {
        s.ended = true;
        return { result: 'expired' };
      }
    }
    s.exp = rules.leaseEnd(this.#now, this.terms.leaseTtlSeconds, s.bor);
    return { result: lapsed ? 'reacquired' : 'renewed', leaseEndsIn: (s.exp - this.#now) / 1000 };
  }
}

/** Runs a scenario through a store's HTTP API on the harness's manual clock. */
export async function runOnStore(h: Harness, scenario: Scenario): Promise<(Observed | null)[]> {
  const seed = await seedLicense(h, { overage: 0, seatBasis: 'machine', maxBorrowSeconds: 0, ...scenario.terms });
  const creds = new Map<string, { sessionId: string; sessionSecret: string }>();
  const observed: (Observed | null)[] = [];
  const prefix = `scn-${Math.random().toString(36).slice(2, 8)}-`;
  for (const step of scenario.steps) {
    const now = h.clock.now().getTime();
    if ('advance' in step) {
      h.clock.advance(step.advance);
      observed.push(null);
    } else if ('acquire' in step) {
      const a = await h.licensing(
        'acquire',
        acquireBody(seed, `machine-${prefix}${step.acquire}`, step.idem ? { idempotencyKey: `${prefix}${step.idem}` } : {}),
      );
      const body = a.json();
      if (a.statusCode === 200) {
        creds.set(step.acquire, { sessionId: body.sessionId, sessionSecret: body.sessionSecret });
        observed.push({ result: body.reused ? 'reused' : 'granted', used: body.seats.used });
      } else if (body.code === 'NO_SEAT_AVAILABLE') observed.push({ result: 'no-seat', used: body.seatsUsed });
      else if (body.code === 'ALREADY_EXISTS') observed.push({ result: 'conflict' });
      else observed.push({ result: `${a.statusCode} ${body.code}` });
    } else if ('release' in step) {
      await h.licensing('release', creds.get(step.release));
      observed.push(null);
    } else {
      const fp = 'heartbeat' in step ? step.heartbeat : step.borrow;
      const answer =
        'heartbeat' in step ? await h.licensing('heartbeat', creds.get(fp)) : await h.licensing('borrow', { ...creds.get(fp), durationSeconds: step.seconds });
      const body = answer.json();
      const leaseEndsIn = answer.statusCode === 200 ? (Date.parse(body.expiresAt) - now) / 1000 : undefined;
      if (answer.statusCode === 200) observed.push({ result: 'heartbeat' in step ? (body.reacquired ? 'reacquired' : 'renewed') : 'borrowed', leaseEndsIn });
      else if (body.code === 'SESSION_EXPIRED') observed.push({ result: 'expired' });
      else if (body.code === 'SESSION_NOT_FOUND') observed.push({ result: 'not-found' });
      else if (body.code === 'BORROW_NOT_ALLOWED') observed.push({ result: 'borrow-refused' });
      else observed.push({ result: `${answer.statusCode} ${body.code}` });
    }
  }
  return observed;
}

/** What the table expects at each step, in the shape both runners answer. */
export function expected(scenario: Scenario): (Observed | null)[] {
  return scenario.steps.map((step) => {
    if ('advance' in step || 'release' in step) return null;
    const e: Observed = { result: step.expect };
    if ('used' in step && step.used !== undefined) e.used = step.used;
    if ('leaseEndsIn' in step && step.leaseEndsIn !== undefined) e.leaseEndsIn = step.leaseEndsIn;
    return e;
  });
}
