/** The header a session secret travels in; the license key goes as `Authorization: License <key>`. */
const SESSION_SECRET_HEADER = 'leasehold-session-secret';

/**
 * Moves the credentials of a licensing call out of its JSON body into headers, where the
 * server's security schemes expect them and proxies and logs treat them as secrets. A call
 * that already authenticates with a bearer token keeps its body as it is.
 *
 * @example
 * ```ts
 * credentialHeaders({ sessionId: 'ses_…', sessionSecret: 's3cr…' }, false);
 * // → { body: { sessionId: 'ses_…' }, headers: { 'leasehold-session-secret': 's3cr…' } }
 * ```
 */
export function credentialHeaders(body: unknown, hasBearer: boolean): { body: unknown; headers: Record<string, string> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { body, headers: {} };
  const { licenseKey, sessionSecret, ...rest } = body as Record<string, unknown>;
  const headers: Record<string, string> = {};
  const kept: Record<string, unknown> = rest;
  if (typeof licenseKey === 'string' && !hasBearer) headers.authorization = `License ${licenseKey}`;
  else if (licenseKey !== undefined) kept.licenseKey = licenseKey;
  if (typeof sessionSecret === 'string') headers[SESSION_SECRET_HEADER] = sessionSecret;
  else if (sessionSecret !== undefined) kept.sessionSecret = sessionSecret;
  return { body: kept, headers };
}
