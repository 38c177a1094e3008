import { EventEmitter } from 'node:events';

const EVERY_LICENSE = '*';

/**
 * Wakes the waiters of a license when its seats or its queue changed: a seat was given
 * back or the next in line was served. Local waiters hear at once; other replicas hear
 * through `announceRemote` (PostgreSQL NOTIFY) and call `heard`. A waiter also wakes
 * by itself after a short time, so a lost signal only delays it.
 */
export class QueueSignals {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  constructor(private readonly announceRemote: ((licenseId: string) => Promise<void>) | null = null) {}

  async announce(licenseId: string): Promise<void> {
    this.heard(licenseId);
    await this.announceRemote?.(licenseId).catch(() => {});
  }

  /** A signal for one license, or for all of them (`*`: the listener reconnected and may have missed some). */
  heard(licenseId: string): void {
    if (licenseId === EVERY_LICENSE) for (const name of this.#emitter.eventNames()) this.#emitter.emit(name);
    else this.#emitter.emit(licenseId);
  }

  heardEverything(): void {
    this.heard(EVERY_LICENSE);
  }

  /** Resolves at the next signal for the license, after `ms`, or when `signal` aborts. */
  wait(licenseId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#emitter.off(licenseId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#emitter.once(licenseId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
