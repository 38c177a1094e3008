interface Waiting<J, R> {
  job: J;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: jobs that arrive while a batch is being written wait and go
 * together in the next one, so under load many decisions share one transaction
 * (one lock, one audit append, one commit) while a lone request goes at once.
 * Up to `maxInFlight` batches run at a time (1 where batches would only queue on
 * the same lock). A failing batch is retried job by job, so one bad job fails
 * only itself.
 */
export class GroupCommit<J, R> {
  readonly #queue: Waiting<J, R>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly runBatch: (jobs: J[]) => Promise<R[]>,
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
    try {
      const results = await this.runBatch(batch.map((w) => w.job));
      for (const [i, w] of batch.entries()) w.resolve(results[i] as R);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const w of batch) {
        try {
          const [result] = await this.runBatch([w.job]);
          w.resolve(result as R);
        } catch (single) {
          w.reject(single);
        }
      }
    }
  }
}
