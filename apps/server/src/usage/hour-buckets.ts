export const HOUR_MS = 3_600_000;

export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** One license-hour's change: the peak is a maximum, seat-seconds and denials add up. */
export interface BucketDelta {
  licenseId: string;
  organisationId: string;
  hour: number;
  peak: number;
  seatSeconds: number;
  denials: number;
}

/** Where one license stands: `concurrent` sessions live since `since` (ms). */
export interface UsageState {
  licenseId: string;
  organisationId: string;
  concurrent: number;
  since: number;
}

/** The change seat events make to a license's hourly buckets, computed in memory. */
export class BucketAccumulator {
  readonly #buckets = new Map<string, BucketDelta>();

  bucket(state: UsageState, hour: number): BucketDelta {
    const key = `${state.licenseId}|${hour}`;
    let b = this.#buckets.get(key);
    if (!b) {
      b = { licenseId: state.licenseId, organisationId: state.organisationId, hour, peak: 0, seatSeconds: 0, denials: 0 };
      this.#buckets.set(key, b);
    }
    return b;
  }

  /** Carries the state's concurrency forward to `until`, hour by hour. Time never runs back. */
  advance(state: UsageState, until: number): void {
    if (until <= state.since) return;
    if (state.concurrent > 0) {
      for (let start = state.since; start < until; ) {
        const hour = hourOf(start);
        const end = Math.min(until, hour + HOUR_MS);
        const b = this.bucket(state, hour);
        b.seatSeconds += (state.concurrent * (end - start)) / 1000;
        b.peak = Math.max(b.peak, state.concurrent);
        start = end;
      }
    }
    state.since = until;
  }

  /** A session started (or came back) at `at`. */
  start(state: UsageState, at: number): void {
    this.advance(state, at);
    state.concurrent += 1;
    const b = this.bucket(state, hourOf(Math.max(at, state.since)));
    b.peak = Math.max(b.peak, state.concurrent);
  }

  /** A session ended at `at`. */
  end(state: UsageState, at: number): void {
    this.advance(state, at);
    state.concurrent = Math.max(0, state.concurrent - 1);
  }

  deny(state: UsageState, at: number): void {
    this.bucket(state, hourOf(at)).denials += 1;
  }

  deltas(): BucketDelta[] {
    return [...this.#buckets.values()].map((b) => ({ ...b, seatSeconds: Math.round(b.seatSeconds) }));
  }
}
