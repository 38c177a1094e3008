import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';

/**
 * The one clock of the SQL seat store: PostgreSQL's. Every replica compares expiries
 * with the same time, whatever its own clock says, so replicas whose clocks differ
 * decide identically. Read after the license lock is taken (clock_timestamp(), not the
 * transaction's start), so a decision waiting for the lock never judges with a stale
 * time. Tests hand in a manual clock instead, as the Redis store's scripts take one.
 */
export class StoreClock {
  /** Which clock stamped the store's decisions, as audit events record it. */
  readonly source: 'postgres' | 'test';

  constructor(private readonly testClock?: Clock) {
    this.source = testClock ? 'test' : 'postgres';
  }

  async now(tx: Executor): Promise<Date> {
    if (this.testClock) return this.testClock.now();
    const result = (await tx.execute(sql`select floor(extract(epoch from clock_timestamp()) * 1000)::float8 as ms`)) as unknown as {
      rows: { ms: number | string }[];
    };
    return new Date(Number(result.rows[0]?.ms));
  }
}
