import { openDatabase } from '../apps/server/src/db/database.js';
import { databaseUrl, TEMPLATE_DATABASE, withAdminClient } from './postgres.js';

/**
 * Builds one migrated template database before the run; each test file then gets
 * its own copy with CREATE DATABASE … TEMPLATE, which takes milliseconds.
 */
export default async function setup(): Promise<void> {
  await withAdminClient(async (client) => {
    await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [TEMPLATE_DATABASE]);
    await client.query(`drop database if exists ${TEMPLATE_DATABASE}`);
    await client.query(`create database ${TEMPLATE_DATABASE}`);
  });
  const database = await openDatabase({ url: databaseUrl(TEMPLATE_DATABASE), dataDir: null, poolSize: 1 });
  await database.migrate();
  await database.close();
}
