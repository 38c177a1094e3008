import type { CommandContext } from '../context.js';
import { clientFor } from '../context.js';

/**
 * `leasehold release`: gives back the seat cached on this machine (say, one a
 * crashed program left behind) and forgets its token.
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
  await client.release();
  ctx.out.result({ released: true, sessionId: cached.sessionId }, `Seat released (session ${cached.sessionId}).`);
  return 0;
}
