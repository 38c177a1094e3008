import { LeaseholdError } from '@leasehold/client';
import { type CommandContext, clientFor, UsageError } from '../context.js';

/**
 * `leasehold activate <key>`: checks the key online (no seat is taken) and stores
 * it for this product, so the licensed program finds it on start.
 *
 * @example
 * ```ts
 * await activate(ctx, ['ABCDE-FGHJK-MNPQR-STVWX-YZ012']);
 * ```
 */
export async function activate(ctx: CommandContext, args: string[]): Promise<number> {
  const key = args[0];
  if (!key || args.length > 1) throw new UsageError('activate needs one license key: leasehold activate ABCDE-FGHJK-MNPQR-STVWX-YZ012');
  const client = clientFor(ctx, { licenseKey: key, rememberLicenseKey: true });
  const result = await client.validate();
  if (!result.valid) {
    const code = result.code && result.code !== 'null' ? result.code : 'LICENSE_NOT_FOUND';
    throw new LeaseholdError(code as never, result.detail ?? 'The license key is not valid for this product.');
  }
  await client.rememberLicenseKey(key);
  const license = result.license;
  ctx.out.result(
    { activated: true, product: client.product, license },
    [
      `Activated ${client.product} on this machine.`,
      license
        ? `License ${license.id}: ${license.status}, ${license.seats.used} of ${license.seats.total} seats in use${license.expiresAt ? `, expires ${license.expiresAt}` : ''}.`
        : '',
      license?.entitlements.length ? `Entitlements: ${license.entitlements.join(', ')}.` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return 0;
}
