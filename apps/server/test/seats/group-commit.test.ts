import { describe, expect, it } from 'vitest';
import { GroupCommit, JobFailed } from '../../src/seats/group-commit.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('group commit: failing fast and failing alone', () => {
  it('fails a whole batch at once with 503 and Retry-After when the database is down', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw refused();
    }, 64);
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => commit.submit(i)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toBe(1);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 });
    }
  });

  it('retries a batch job by job only for an error of its own, and stops at the first outage', async () => {
    const seen: number[][] = [];
    const commit = new GroupCommit<number, number>(async (jobs) => {
      seen.push(jobs);
      if (jobs.includes(3)) throw new Error('job 3 is bad');
      return jobs.map((j) => j * 10);
    }, 64);
    const results = await Promise.allSettled([1, 2, 3, 4].map((j) => commit.submit(j)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'bad'))).toEqual([10, 20, 'bad', 40]);
    expect(seen[0]).toEqual([1, 2, 3, 4]);

    let down = false;
    const outage = new GroupCommit<number, number>(async (jobs) => {
      if (down) throw refused();
      if (jobs.length > 1) {
        down = true; // the database goes away while the batch is retried
        throw new Error('some job is bad');
      }
      return jobs;
    }, 64);
    const failed = await Promise.allSettled([1, 2, 3].map((j) => outage.submit(j)));
    expect(failed.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'SERVICE_UNAVAILABLE')).toBe(true);
  });

  it('answers a job that failed on its own without failing or replaying the rest', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (jobs) => {
      calls += 1;
      return jobs.map((j) => (j === 2 ? new JobFailed(new Error('two')) : j));
    }, 64);
    const results = await Promise.allSettled([1, 2, 3].map((j) => commit.submit(j)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toBe(1);
  });
});
