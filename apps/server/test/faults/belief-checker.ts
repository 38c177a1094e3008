/**
 * Records what every client believes: it holds a seat from the grant it received
 * until the lease end it was last told, or until it sent a release. `check` fails
 * when more clients believed at one moment than the license has seats + overage.
 * Times are whatever clock the answers' `expiresAt` use (the test's or the machine's).
 */
export class BeliefChecker {
  readonly #intervals = new Map<string, { start: number; end: number }[]>();

  /** A grant (or a reacquiring heartbeat) answered at `at`, lease told to end at `expiresAt`. */
  granted(client: string, at: number, expiresAt: number): void {
    const list = this.#intervals.get(client) ?? [];
    const last = list[list.length - 1];
    // Still believed when the answer came: the belief goes on; else a new one starts.
    if (last && at <= last.end) last.end = expiresAt;
    else list.push({ start: at, end: expiresAt });
    this.#intervals.set(client, list);
  }

  /** A renewal answered at `at`. */
  renewed(client: string, at: number, expiresAt: number): void {
    this.granted(client, at, expiresAt);
  }

  /** The client stops believing at `at` (it sent a release). */
  released(client: string, at: number): void {
    const last = this.#intervals.get(client)?.at(-1);
    if (last && at < last.end) last.end = Math.max(last.start, at);
  }

  /** The most clients believing at one moment, and when. */
  peak(): { holders: number; at: number; who: string[] } {
    const edges: { t: number; d: number; client: string }[] = [];
    for (const [client, list] of this.#intervals)
      for (const { start, end } of list) if (end > start) edges.push({ t: start, d: 1, client }, { t: end, d: -1, client });
    // Ends before starts at the same instant: a lease ending at t is free at t.
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    const holding = new Set<string>();
    let best = { holders: 0, at: 0, who: [] as string[] };
    for (const e of edges) {
      if (e.d > 0) holding.add(e.client);
      else holding.delete(e.client);
      if (holding.size > best.holders) best = { holders: holding.size, at: e.t, who: [...holding] };
    }
    return best;
  }

  /** Throws when holders exceeded `capacity` at any moment. */
  check(capacity: number): void {
    const peak = this.peak();
    if (peak.holders > capacity) {
      throw new Error(`${peak.holders} clients believed they held one of ${capacity} seats at ${new Date(peak.at).toISOString()}: ${peak.who.join(', ')}`);
    }
  }
}
