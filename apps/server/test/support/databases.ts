import { randomBytes } from 'node:crypto';
import { databaseUrl, TEMPLATE_DATABASE, withAdminClient } from '../../../../test-support/postgres.js';
import { type Database, openDatabase } from '../../src/db/database.js';

export type Driver = 'pglite' | 'postgres';
export const DRIVERS: Driver[] = ['pglite', 'postgres'];

export interface TestDatabase {
  database: Database;
  /** The postgres:// URL, for other processes; null for PGlite. */
  url: string | null;
  dispose(): Promise<void>;
}

/** A fresh PostgreSQL database cloned from the migrated template. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `leasehold_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
  return {
    url: databaseUrl(name),
    drop: () =>
      withAdminClient(async (client) => {
        await client.query(`drop database if exists ${name} with (force)`);
      }),
  };
}

/** A migrated database of either kind, empty, for one test file or one test. */
export async function createTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({ url: null, dataDir: null });
    await database.migrate();
    return { database, url: null, dispose: () => database.close() };
  }
  const created = await createPostgresDatabase();
  const database = await openDatabase({ url: created.url, dataDir: null, poolSize: 20 });
  return {
    database,
    url: created.url,
    async dispose() {
      await database.close();
      await created.drop();
    },
  };
}
