import { LeaseholdError } from '../kernel/errors.js';
import type { RedisConnection } from './connection.js';
import { REDIS_RETRY_AFTER_SECONDS } from './connection.js';

/**
 * Redis's replicas did not confirm a promise in time. The primary holds it, a replica
 * promoted now might not: the caller is told nothing was promised (503), and a
 * decision that took a seat is undone, as after a timeout.
 */
export class ReplicasBehind extends LeaseholdError {
  constructor(
    readonly wanted: number,
    readonly confirmed: number,
  ) {
    super(
      'SERVICE_UNAVAILABLE',
      'The seat store could not confirm the change on its replicas in time; retry shortly with the same idempotency key.',
      { dependency: 'redis' },
      REDIS_RETRY_AFTER_SECONDS,
    );
  }
}

/**
 * Waits until Redis's replicas hold every write made so far, before a promise is
 * answered, so a failover to a replica never rolls back a seat a client was told it
 * holds (a replica that kept the epoch would not be rebuilt, and would give that seat
 * away again). `WAIT` covers every earlier write of the connection it is sent on, so
 * it goes on the seat store's own connection (on Redis Cluster, on its connection to
 * every primary), and all promises decided in one turn of the event loop share one.
 */
export class ReplicaAck {
  #batch: Promise<void> | null = null;

  constructor(
    private readonly connection: RedisConnection,
    readonly replicas: number,
    readonly timeoutMs: number,
  ) {}

  /** Resolves once `replicas` replicas confirmed every write before this call; ReplicasBehind otherwise. */
  confirm(): Promise<void> {
    if (this.replicas === 0) return Promise.resolve();
    if (!this.#batch) {
      this.#batch = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        // Later callers join the next WAIT: their writes may come after this one was sent.
        this.#batch = null;
        return this.#wait();
      });
    }
    return this.#batch;
  }

  async #wait(): Promise<void> {
    const primaries = this.connection.primaries();
    // No primary known (a cluster still discovering its nodes): nothing was confirmed.
    if (primaries.length === 0) throw new ReplicasBehind(this.replicas, 0);
    const counts = await this.connection.run('wait', () => Promise.all(primaries.map((node) => node.wait(this.replicas, this.timeoutMs))));
    const confirmed = Math.min(...counts.map(Number));
    if (confirmed < this.replicas) throw new ReplicasBehind(this.replicas, confirmed);
  }
}
