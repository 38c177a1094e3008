/** Fetch one row more than asked: its presence says there is a next page. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string | number): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? String(cursorOf(last)) : null };
}

export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
