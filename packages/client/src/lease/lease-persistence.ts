import type { Clock } from '../clock.js';
import { type LeaseState, LeaseStateStore } from '../state/lease-state.js';

/**
 * The lease's cached state on disk, as the client keeps it: every save also
 * records the time as seen (so a clock set back later is noticed), and forgetting
 * a session can keep the token for a later offline start.
 *
 * @example
 * ```ts
 * const persistence = new LeasePersistence(stateDir, 'https://lic.example.com', 'coditect', systemClock);
 * const state = (await persistence.load()) ?? persistence.fresh();
 * await persistence.save(state);
 * ```
 */
export class LeasePersistence {
  readonly #store: LeaseStateStore;
  readonly #clock: Clock;

  constructor(stateDir: string, serverUrl: string, product: string, clock: Clock) {
    this.#store = new LeaseStateStore(stateDir, serverUrl, product);
    this.#clock = clock;
  }

  /** The state file. */
  get path(): string {
    return this.#store.path;
  }

  /** The cached state, or `null` when none (or it belongs to another server or product). */
  load(): Promise<LeaseState | null> {
    return this.#store.load();
  }

  /** The state of a first run: nothing cached, now the latest time seen. */
  fresh(): LeaseState {
    return { version: 1, serverUrl: this.#store.serverUrl, product: this.#store.product, lastSeenAt: this.#clock.now() };
  }

  /** Saves the state, moving its latest time seen up to now (never back). */
  async save(state: LeaseState): Promise<void> {
    state.lastSeenAt = Math.max(state.lastSeenAt, this.#clock.now());
    await this.#store.save(state);
  }

  /** Forgets the session, and unless `keepToken` the token and its license, then saves. */
  async forgetSession(state: LeaseState, options: { keepToken?: boolean } = {}): Promise<void> {
    state.sessionId = undefined;
    state.sessionSecret = undefined;
    if (!options.keepToken) {
      state.leaseToken = undefined;
      state.licenseId = undefined;
    }
    await this.save(state);
  }
}
