/** Paths whose last segment is a secret: the link of an invitation. */
const SECRET_PATH = /^(\/auth\/invitations\/)[^/?]+/;

/**
 * A request URL as the log may keep it: query values (OAuth `code` and `state`, cursors)
 * and secrets in the path are replaced, the route and the parameter names stay.
 */
export function loggableUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(SECRET_PATH, '$1[redacted]');
  if (query === undefined) return safePath;
  const names = query
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]}=[redacted]`);
  return `${safePath}?${names.join('&')}`;
}
