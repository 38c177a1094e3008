import type { CommandContext } from '../context.js';
import { clientFor } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';

/**
 * `leasehold release [--force]`: gives back the seat cached on this machine (say,
 * one a crashed program left behind) and forgets its session. A seat a running
 * program renewed within its last two heartbeat intervals needs `--force`.
 *
 * @example
 * ```ts
 * await release(ctx, []);
 * ```
 */
export async function release(ctx: CommandContext): Promise<number> {
  const client = clientFor(ctx);
  const cached = await client.inspectCache();
  if (!cached.sessionId) {
    ctx.out.result({ released: false, reason: 'no seat is held from this machine' }, 'No seat is held from this machine.');
    return 0;
  }
  const now = (ctx.clock ?? { now: () => Date.now() }).now();
  if (cached.claims?.borrowed_until && cached.claims.borrowed_until * 1000 > now) {
    ctx.out.result({ released: false, reason: 'borrowed', sessionId: cached.sessionId }, 'The seat is borrowed; give it back with "leasehold return".');
    return 0;
  }
  const renewedAgo = cached.lastRenewedAt ? Math.round((now - cached.lastRenewedAt.getTime()) / 1000) : null;
  const interval = cached.heartbeatIntervalSeconds ?? 60;
  const leaseLive = (cached.claims?.lease_expires_at ?? 0) * 1000 > now;
  if (!ctx.force && leaseLive && renewedAgo !== null && renewedAgo <= 2 * interval) {
    const message = `A running program holds this seat (renewed ${renewedAgo} s ago, session ${cached.sessionId}). Stop it, or run "leasehold release --force" to take the seat away from it.`;
    if (ctx.json) ctx.out.result({ released: false, reason: 'in-use', sessionId: cached.sessionId, renewedSecondsAgo: renewedAgo }, message);
    else ctx.out.stderr(`${message}\n`);
    return EXIT_CODES.FAILURE;
  }
  await client.release();
  ctx.out.result({ released: true, sessionId: cached.sessionId }, `Seat released (session ${cached.sessionId}).`);
  return 0;
}
