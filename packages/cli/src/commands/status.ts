import { asLeaseholdError, type ValidateAnswer } from '@leasehold/client';
import { type CommandContext, clientFor } from '../context.js';
import { formatDuration } from '../duration.js';
import { signedIn } from './signed-in.js';

/**
 * `leasehold status`: what is set up on this machine and, when the server answers,
 * the license's state and seat use. Exit 7 when nothing is set up.
 *
 * @example
 * ```ts
 * await status(ctx);
 * ```
 */
export async function status(ctx: CommandContext): Promise<number> {
  const client = clientFor(ctx);
  const cached = await client.inspectCache();
  const now = (ctx.clock ?? { now: () => Date.now() }).now();
  let online: ValidateAnswer | null = null;
  let onlineError: string | null = null;
  if (cached.licenseKeyHint || cached.claims) {
    try {
      online = await client.validate();
    } catch (error) {
      onlineError = asLeaseholdError(error).message;
    }
  }
  const who = await signedIn(ctx, client.serverUrl);
  const claims = cached.claims;
  const lease = claims
    ? {
        sessionId: cached.sessionId,
        licenseId: claims.license_id,
        entitlements: claims.entitlements,
        leaseExpiresAt: new Date(claims.lease_expires_at * 1000).toISOString(),
        offlineGraceUntil: new Date(claims.exp * 1000).toISOString(),
        borrowedUntil: claims.borrowed_until ? new Date(claims.borrowed_until * 1000).toISOString() : null,
        tokenValid: cached.tokenError === null,
        tokenProblem: cached.tokenError?.message ?? null,
      }
    : null;
  const data = {
    product: client.product,
    serverUrl: client.serverUrl,
    signedIn: who,
    activated: cached.licenseKeyHint !== null,
    licenseKey: cached.licenseKeyHint,
    lease,
    license: online?.license ?? null,
    valid: online ? online.valid : null,
    problem: online && !online.valid ? online.detail : onlineError,
  };
  const lines = [`${client.product} on ${client.serverUrl}`];
  lines.push(
    who
      ? `Signed in as ${[who.name, who.email ? `<${who.email}>` : null].filter(Boolean).join(' ') || who.userId || 'an unknown user'}${who.userId && (who.name || who.email) ? ` (${who.userId})` : ''}.`
      : 'Not signed in (leasehold login).',
  );
  lines.push(cached.licenseKeyHint ? `License key: ${cached.licenseKeyHint}` : 'No license key activated on this machine.');
  if (online?.license) {
    const l = online.license;
    lines.push(`License ${l.id}: ${l.status}, ${l.seats.used} of ${l.seats.total} seats in use.`);
  }
  if (online && !online.valid) lines.push(`Not usable: ${online.detail ?? online.code}`);
  if (onlineError) lines.push(`Server check failed: ${onlineError}`);
  if (claims && lease) {
    const grace = claims.exp * 1000 - now;
    lines.push(`Seat: session ${cached.sessionId ?? '(none)'}, entitlements ${claims.entitlements.join(', ') || '(none)'}.`);
    if (lease.borrowedUntil) lines.push(`Borrowed until ${new Date(lease.borrowedUntil).toLocaleString()}.`);
    lines.push(
      cached.tokenError
        ? `Cached token not usable offline: ${cached.tokenError.message}`
        : `Works offline for ${formatDuration(grace / 1000)} more (until ${new Date(claims.exp * 1000).toLocaleString()}).`,
    );
  } else {
    lines.push('No seat held from this machine.');
  }
  ctx.out.result(data, lines.join('\n'));
  return cached.licenseKeyHint || who || (claims && !cached.tokenError) ? 0 : 7;
}
