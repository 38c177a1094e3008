import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { DataDirLock } from './data-dir-lock.js';
import { PreparedPGlite } from './prepared-pglite.js';
import * as schema from './schema.js';

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Db | Tx;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** The postgres:// URL, for connections outside the pool (a LISTENer); null for PGlite. */
  readonly url: string | null;
  /** Applies pending migrations; safe to call from many processes at once. */
  migrate(): Promise<void>;
  /** The embedded data directory's lock, held while open; null for PostgreSQL and in-memory PGlite. */
  readonly lock: DataDirLock | null;
  /** Answers when the database can run a query. */
  ping(): Promise<void>;
  /**
   * Only on the embedded database, which has no autovacuum (one backend, no background
   * workers): reclaims the row versions every heartbeat leaves behind and refreshes the
   * planner's statistics. PostgreSQL does both itself.
   */
  vacuum?(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant works; it only has to be the same for every process of this schema.
const MIGRATION_LOCK_ID = 7_211_932_004;

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded PGlite database is used. */
  url: string | null;
  /** Where PGlite keeps its files; null keeps it in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
  /** Who opens an embedded data directory (`serve`, `licenses create`…), written in its lock file. */
  role?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir, options.role ?? 'serve');
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // Requests queue for a connection while a busy license's row lock is held; past
  // this wait the pool gives up and the caller gets a 503 with Retry-After.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 20_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one (a transaction between two statements when PostgreSQL goes
  // away): its next query fails with the error instead, and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    url,
    lock: null,
    async migrate() {
      // drizzle's migrator takes no lock, so replicas starting together are serialised here.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string | null, role: string): Promise<Database> {
  // One process at a time: a second writer's changes would be invisible to the first and lost.
  let lock: DataDirLock | null = null;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = DataDirLock.acquire(dirname(dataDir), role);
  }
  let client: PreparedPGlite;
  try {
    client = dataDir ? new PreparedPGlite(dataDir) : new PreparedPGlite();
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    url: null,
    db,
    lock,
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS });
    },
    async ping() {
      await client.query('select 1');
    },
    async vacuum() {
      // Waits for any open transaction, as every statement here does (one connection).
      await client.exec('VACUUM (ANALYZE)');
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
