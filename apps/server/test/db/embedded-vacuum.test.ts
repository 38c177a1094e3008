import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/databases.js';

// PGlite runs no autovacuum (one backend, no background workers), so the server vacuums
// the embedded database itself (server.ts): heartbeats rewrite session rows all day.
describe('embedded database vacuum', () => {
  it('reclaims the row versions that updates leave behind and refreshes the statistics', async () => {
    const test = await createTestDatabase('pglite');
    try {
      const { db } = test.database;
      await db.execute(sql`create table churn (id int primary key, n int not null)`);
      await db.execute(sql`create index churn_n_idx on churn (n)`);
      await db.execute(sql`insert into churn select g, 0 from generate_series(1, 2000) g`);
      for (let i = 0; i < 3; i++) await db.execute(sql`update churn set n = n + 1`);
      const stats = async () =>
        (
          (await db.execute(
            sql`select n_dead_tup::int as dead, vacuum_count::int as vacuums, analyze_count::int as analyzes from pg_stat_user_tables where relname = 'churn'`,
          )) as unknown as { rows: { dead: number; vacuums: number; analyzes: number }[] }
        ).rows[0];
      expect(await stats()).toMatchObject({ vacuums: 0, analyzes: 0 });

      await test.database.vacuum?.();

      expect(await stats()).toEqual({ dead: 0, vacuums: 1, analyzes: 1 });
    } finally {
      await test.dispose();
    }
  });

  it('is for the embedded database only: PostgreSQL vacuums itself', async () => {
    const test = await createTestDatabase('postgres');
    try {
      expect(test.database.vacuum).toBeUndefined();
    } finally {
      await test.dispose();
    }
  });
});
