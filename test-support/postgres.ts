import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The PostgreSQL server tests use; CI and developers have it on 127.0.0.1:5432 with trust auth. */
export const POSTGRES_ADMIN_URL = process.env.LEASEHOLD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The migrated template each test file clones its own database from. Named after this
 * checkout, so test runs of two checkouts sharing one PostgreSQL do not drop each other's.
 */
export const TEMPLATE_DATABASE = `leasehold_test_template_${createHash('sha256')
  .update(fileURLToPath(import.meta.url))
  .digest('hex')
  .slice(0, 10)}`;

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
