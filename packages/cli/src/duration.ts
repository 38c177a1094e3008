const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Parses a duration like `3d`, `12h`, `90m`, `1d12h` or plain seconds into seconds;
 * `null` when it is not one.
 *
 * @example
 * ```ts
 * parseDuration('1d12h'); // 129600
 * ```
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) || null;
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) total += Number(amount) * (UNITS[unit as string] ?? 0);
  return total > 0 ? total : null;
}

/**
 * Seconds for a person: `3d 4h`, `12h`, `5m 10s`.
 *
 * @example
 * ```ts
 * formatDuration(129600); // "1d 12h"
 * ```
 */
export function formatDuration(seconds: number): string {
  let left = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ') || '0s';
}
