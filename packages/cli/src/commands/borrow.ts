import { LeaseholdError } from '@leasehold/client';
import { type CommandContext, clientFor, UsageError } from '../context.js';
import { formatDuration, parseDuration } from '../duration.js';

/**
 * `leasehold borrow <duration>`: checks a seat out for offline use, e.g. `3d`, `12h`.
 *
 * @example
 * ```ts
 * await borrow(ctx, ['3d']);
 * ```
 */
export async function borrow(ctx: CommandContext, args: string[]): Promise<number> {
  const seconds = args.length === 1 ? parseDuration(args[0] as string) : null;
  if (seconds === null) throw new UsageError('borrow needs one duration, like 3d, 12h or 90m');
  const client = clientFor(ctx);
  await client.acquire();
  const status = await client.borrow(seconds);
  ctx.out.result(
    { borrowed: true, sessionId: status.sessionId, borrowedUntil: status.borrowedUntil?.toISOString() ?? null },
    `Borrowed a seat of ${client.product} for ${formatDuration(seconds)}, until ${status.borrowedUntil?.toLocaleString() ?? 'unknown'}. It works offline until then; give it back early with "leasehold return".`,
  );
  return 0;
}

/**
 * `leasehold return`: gives a borrowed seat back before its time.
 *
 * @example
 * ```ts
 * await giveBack(ctx);
 * ```
 */
export async function giveBack(ctx: CommandContext): Promise<number> {
  const client = clientFor(ctx);
  const cached = await client.inspectCache();
  const now = (ctx.clock ?? { now: () => Date.now() }).now();
  if (!cached.sessionId || !cached.claims?.borrowed_until || cached.claims.borrowed_until * 1000 <= now) {
    throw new LeaseholdError('NOT_LICENSED', `Nothing of ${client.product} is borrowed on this machine, so there is nothing to return.`);
  }
  await client.returnBorrow();
  ctx.out.result({ returned: true }, 'The borrowed seat is returned.');
  return 0;
}
