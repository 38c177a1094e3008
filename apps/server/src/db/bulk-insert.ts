import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './database.js';

/**
 * An insert of many rows sent as one JSON parameter and expanded by
 * `jsonb_to_recordset`. Drizzle's insert builder spends more CPU on a batch of 64
 * wide rows than PostgreSQL spends storing them; this builds one short statement.
 *
 * Only the columns some row sets are listed, so the others take their defaults. Values
 * go through JSON: dates become ISO strings and objects stay JSON, which is what the
 * text, number, boolean, timestamp and jsonb columns here expect.
 */
export function insertFromJson<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL | null {
  if (rows.length === 0) return null;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => rows.some((row) => (row as Record<string, unknown>)[key] !== undefined));
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [key, column] of columns) record[column.name] = (row as Record<string, unknown>)[key] ?? null;
    return record;
  });
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const types = columns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(', ');
  return sql`insert into ${table} (${sql.raw(names)}) select ${sql.raw(names)} from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(${sql.raw(types)})`;
}

export async function bulkInsert<T extends PgTable>(tx: Executor, table: T, rows: T['$inferInsert'][]): Promise<void> {
  const statement = insertFromJson(table, rows);
  if (statement) await tx.execute(statement);
}
