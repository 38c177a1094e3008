import { asUnavailable, isInfrastructureError } from './dependency-errors.js';

interface Waiting<J, R> {
  job: J;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** A batch's answer for one job that failed on its own; the others in the batch stand. */
export class JobFailed {
  constructor(readonly error: unknown) {}
}

/**
 * Group commit: jobs that arrive while a batch is being written wait and go
 * together in the next one, so under load many decisions share one transaction
 * (one lock, one audit append, one commit) while a lone request goes at once.
 * Up to `maxInFlight` batches run at a time (1 where batches would only queue on
 * the same lock).
 *
 * Failures: a batch is atomic (runBatch commits all of it or none), and a job that
 * fails on its own is answered JobFailed without failing the rest. When the whole
 * batch throws an infrastructure error (the database is down) every job fails at
 * once with a 503 and Retry-After: retrying them one by one would only make each
 * wait in turn. Any other error is retried job by job to find the one at fault,
 * stopping at the first infrastructure error.
 */
export class GroupCommit<J, R> {
  readonly #queue: Waiting<J, R>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly runBatch: (jobs: J[]) => Promise<(R | JobFailed)[]>,
    private readonly maxBatch: number,
    private readonly maxInFlight = 1,
  ) {}

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Let requests already on the event loop reach submit() first. The embedded
    // database runs on this thread, so without this pause each batch would hold
    // exactly the one request that started it.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#runNext();
    });
  }

  async #runNext(): Promise<void> {
    const batch = this.#queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.#inFlight += 1;
    this.#schedule();
    try {
      await this.#run(batch);
    } finally {
      this.#inFlight -= 1;
      this.#schedule();
    }
  }

  async #run(batch: Waiting<J, R>[]): Promise<void> {
    let results: (R | JobFailed)[];
    try {
      results = await this.runBatch(batch.map((w) => w.job));
    } catch (error) {
      if (batch.length === 1 || isInfrastructureError(error)) {
        const failure = isInfrastructureError(error) ? asUnavailable(error) : error;
        for (const w of batch) w.reject(failure);
        return;
      }
      await this.#oneByOne(batch);
      return;
    }
    for (const [i, w] of batch.entries()) settle(w, results[i] as R | JobFailed);
  }

  async #oneByOne(batch: Waiting<J, R>[]): Promise<void> {
    for (const [i, w] of batch.entries()) {
      try {
        const [result] = await this.runBatch([w.job]);
        settle(w, result as R | JobFailed);
      } catch (error) {
        if (!isInfrastructureError(error)) {
          w.reject(error);
          continue;
        }
        const failure = asUnavailable(error);
        for (const rest of batch.slice(i)) rest.reject(failure);
        return;
      }
    }
  }
}

function settle<R>(w: Waiting<unknown, R>, result: R | JobFailed): void {
  if (result instanceof JobFailed) w.reject(result.error);
  else w.resolve(result);
}
