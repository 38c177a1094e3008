/** The timer functions a {@link HeartbeatScheduler} uses; tests pass their own to control time. */
export interface Timers {
  setTimer(run: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Node's timers, unref'd: a heartbeat never keeps the process alive once the program's work is done. */
export const backgroundTimers: Timers = {
  setTimer: (run, delayMs) => setTimeout(run, delayMs).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * When the next background heartbeat runs: at most one is pending, and scheduling
 * another replaces it.
 *
 * @example
 * ```ts
 * const scheduler = new HeartbeatScheduler(() => void beat());
 * scheduler.after(60_000);
 * scheduler.cancel();
 * ```
 */
export class HeartbeatScheduler {
  readonly #run: () => void;
  readonly #timers: Timers;
  #handle: unknown = null;

  constructor(run: () => void, timers: Timers = backgroundTimers) {
    this.#run = run;
    this.#timers = timers;
  }

  /** Runs the heartbeat in `delayMs`, instead of any pending one. */
  after(delayMs: number): void {
    this.cancel();
    this.#handle = this.#timers.setTimer(() => {
      this.#handle = null;
      this.#run();
    }, delayMs);
  }

  cancel(): void {
    if (this.#handle !== null) this.#timers.clearTimer(this.#handle);
    this.#handle = null;
  }

  /** Whether a heartbeat is waiting to run. */
  get pending(): boolean {
    return this.#handle !== null;
  }
}
