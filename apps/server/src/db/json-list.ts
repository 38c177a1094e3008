import { type SQL, sql } from 'drizzle-orm';

/**
 * Many values sent as one JSON parameter, for `column in ${jsonList(values)}`. drizzle's
 * `inArray` makes a parameter of each value, and building a statement of 1,000 of them
 * takes milliseconds of CPU on the event loop; one parameter takes none.
 */
export function jsonList(values: readonly string[]): SQL {
  return sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}
