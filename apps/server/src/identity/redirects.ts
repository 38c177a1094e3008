/**
 * Where a sign-in may send the browser back to: a path on this server, or a URL
 * whose origin is on the allow-list. Anything else falls back to the default, so
 * `redirect_to` can never make us an open redirector.
 */
export function safeRedirect(target: string | undefined, allowedOrigins: string[], publicUrl: string, fallback: string): string {
  if (!target) return fallback;
  // A path, but not a scheme-relative URL (//evil) nor a backslash trick (/\evil) that browsers read as one.
  if (/^\/(?![/\\])/.test(target) && !hasControlOrBackslash(target)) return target;
  if (!URL.canParse(target)) return fallback;
  const url = new URL(target);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback;
  if (url.username || url.password) return fallback;
  const origins = new Set([new URL(publicUrl).origin, ...allowedOrigins]);
  return origins.has(url.origin) ? url.toString() : fallback;
}

function hasControlOrBackslash(value: string): boolean {
  for (const ch of value) if (ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) return true;
  return false;
}
