import { type Clock, type FetchLike, LeaseClient } from '@leasehold/client';

/**
 * What every command gets: resolved global options and the outside world.
 *
 * @example
 * ```ts
 * ctx.out.result({ released: true }, 'Seat released.');
 * ```
 */
export interface CommandContext {
  serverUrl: string | undefined;
  product: string | undefined;
  json: boolean;
  /** `--force`: `release` takes the seat even from a running program. */
  force: boolean;
  stateDir: string;
  env: Record<string, string | undefined>;
  out: Output;
  /** `run --wait`: how long to wait for a seat (seconds or a duration). */
  wait?: string | undefined;
  /** What followed `--` on the command line: the command `run` wraps. */
  rest?: string[];
  clock?: Clock;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Human text or JSON, never both, so `--json` output always parses.
 *
 * @example
 * ```ts
 * out.result({ ok: true }, 'All good.');
 * ```
 */
export class Output {
  constructor(
    readonly json: boolean,
    readonly stdout: (text: string) => void,
    readonly stderr: (text: string) => void,
  ) {}

  /** The command's answer: JSON on `--json`, else the human text. */
  result(data: unknown, human: string): void {
    this.stdout(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
  }

  /** Progress for a person; silent in JSON mode. */
  info(text: string): void {
    if (!this.json) this.stderr(`${text}\n`);
  }
}

/**
 * The server URL and product, or a usage error naming what is missing.
 *
 * @example
 * ```ts
 * const { serverUrl, product } = requireTarget(ctx);
 * ```
 */
export function requireTarget(ctx: CommandContext): { serverUrl: string; product: string } {
  const missing: string[] = [];
  if (!ctx.serverUrl) missing.push('the server (--server or LEASEHOLD_URL)');
  if (!ctx.product) missing.push('the product (--product or LEASEHOLD_PRODUCT)');
  if (missing.length) throw new UsageError(`Tell me ${missing.join(' and ')}.`);
  return { serverUrl: ctx.serverUrl as string, product: ctx.product as string };
}

/**
 * The server URL, or a usage error.
 *
 * @example
 * ```ts
 * const serverUrl = requireServer(ctx);
 * ```
 */
export function requireServer(ctx: CommandContext): string {
  if (!ctx.serverUrl) throw new UsageError('Tell me the server (--server or LEASEHOLD_URL).');
  return ctx.serverUrl;
}

/**
 * A lease client for the command's server and product, without background work.
 *
 * @example
 * ```ts
 * const client = clientFor(ctx, { licenseKey });
 * ```
 */
export function clientFor(ctx: CommandContext, extra: { licenseKey?: string; rememberLicenseKey?: boolean; heartbeat?: boolean; wait?: number } = {}) {
  const { serverUrl, product } = requireTarget(ctx);
  return new LeaseClient({
    serverUrl,
    product,
    stateDir: ctx.stateDir,
    env: ctx.env,
    heartbeat: false,
    releaseOnExit: false,
    clientVersion: 'leasehold-cli/0.1.0',
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    ...extra,
  });
}

/**
 * A mistake on the command line (exit code 2).
 *
 * @example
 * ```ts
 * throw new UsageError('borrow needs a duration, like 3d or 12h');
 * ```
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
