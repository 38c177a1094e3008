const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A time for a person: `14:05` today, `2025-03-04 14:05` another day, in local time.
 *
 * @example
 * ```ts
 * formatTime(new Date('2030-01-01T14:05:00'), new Date('2030-01-01T09:00:00')); // "14:05"
 * ```
 */
export function formatTime(at: Date, now: Date = new Date()): string {
  const hm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? hm : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${hm}`;
}
