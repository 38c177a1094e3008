import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { type LeaseClient, type LeaseStatus, NoSeatAvailableError } from '@leasehold/client';
import { type CommandContext, clientFor, UsageError } from '../context.js';
import { parseDuration } from '../duration.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How often a waiting `run` asks again when the server does not say when a seat frees. */
const WAIT_POLL_MS = 5_000;

/**
 * `leasehold run [--wait N] -- <command...>`: takes a seat (license key, CI workload
 * identity or sign-in), runs the command with this terminal, renews the seat while it
 * runs, and gives it back when it ends, so a Makefile or a CI step licenses a tool
 * without code changes. SIGINT, SIGTERM and SIGHUP go on to the command; the exit code
 * is the command's (128 + n when a signal n ended it).
 *
 * @example
 * ```ts
 * process.exitCode = await runCommand({ ...ctx, rest: ['make', 'build'] }, []);
 * ```
 */
export async function runCommand(ctx: CommandContext, args: string[]): Promise<number> {
  const command = ctx.rest ?? [];
  if (args.length > 0 || command.length === 0) {
    throw new UsageError('run needs the command after "--", e.g. leasehold run -- make build');
  }
  const waitSeconds = ctx.wait === undefined ? 0 : parseDuration(ctx.wait);
  if (waitSeconds === null) throw new UsageError(`--wait takes seconds or a duration like 90s, 5m: "${ctx.wait}" is neither`);
  const licenseKey = ctx.env.LEASEHOLD_LICENSE_KEY;
  // The server's seat queue keeps the place while waiting; without one (a plan that turns it
  // off), acquireWaiting asks again until the time is up.
  const client = clientFor(ctx, { heartbeat: true, wait: waitSeconds, ...(licenseKey ? { licenseKey } : {}) });
  client.on('queued', (place) => {
    const estimate = place.estimatedWaitSeconds === null ? '' : `, a seat likely in ${place.estimatedWaitSeconds} s`;
    ctx.out.info(`leasehold: every seat is taken; waiting in line, number ${place.position} of ${place.waiting}${estimate}.`);
  });
  const status = await acquireWaiting(ctx, client, waitSeconds);
  client.on('lost', (error) => ctx.out.info(`leasehold: the seat was lost while the command runs: ${error.message}`));
  ctx.out.info(describe(status));
  try {
    return await runChild(ctx, command);
  } finally {
    await client
      .release()
      .catch((error: Error) => ctx.out.info(`leasehold: the seat could not be given back now (${error.message}); it frees when its lease ends.`));
  }
}

/** Acquires, asking again while every seat is taken until `waitSeconds` have passed. */
async function acquireWaiting(ctx: CommandContext, client: LeaseClient, waitSeconds: number): Promise<LeaseStatus> {
  const now = () => (ctx.clock ?? { now: () => Date.now() }).now();
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + waitSeconds * 1000;
  for (;;) {
    try {
      return await client.acquire();
    } catch (error) {
      const left = deadline - now();
      if (!(error instanceof NoSeatAvailableError) || left <= 0) throw error;
      const untilFree = error.nextFreeAt ? error.nextFreeAt.getTime() - now() : WAIT_POLL_MS;
      const pause = Math.max(250, Math.min(WAIT_POLL_MS, untilFree, left));
      const used = error.seatsUsed !== null && error.seatsTotal !== null ? ` (${error.seatsUsed} of ${error.seatsTotal} in use)` : '';
      ctx.out.info(`leasehold: every seat is taken${used}; waiting up to ${Math.ceil(left / 1000)} s more.`);
      await sleep(pause);
    }
  }
}

function describe(status: LeaseStatus): string {
  if (status.mode === 'offline')
    return `leasehold: the server cannot be reached; running offline on the cached lease until ${status.offlineGraceUntil?.toISOString()}.`;
  const ci = status.ci ? ` as a CI job of ${status.ci.repository}` : '';
  const warning = status.ci?.warning ? `\nleasehold: ${status.ci.warning}` : '';
  return `leasehold: seat taken${ci} (session ${status.sessionId}).${warning}`;
}

/** Runs the command with inherited stdio, forwarding signals; resolves to its exit code. */
function runChild(ctx: CommandContext, command: string[]): Promise<number> {
  const [file, ...rest] = command as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(file, rest, { stdio: 'inherit', env: ctx.env as NodeJS.ProcessEnv });
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = (code: number) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      ctx.out.stderr(`leasehold: cannot run ${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}\n`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}
