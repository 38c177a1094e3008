import { parseArgs } from 'node:util';
import { type Clock, defaultStateDir, type FetchLike, LeaseholdError } from '@leasehold/client';
import { activate } from './commands/activate.js';
import { borrow, giveBack } from './commands/borrow.js';
import { doctor } from './commands/doctor.js';
import { login, logout } from './commands/login.js';
import { release } from './commands/release.js';
import { runCommand } from './commands/run-command.js';
import { status } from './commands/status.js';
import { type CommandContext, Output, UsageError } from './context.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { COMMAND_HELP, HELP } from './help.js';

const VERSION = '0.1.0';

const COMMANDS: Record<string, (ctx: CommandContext, args: string[]) => Promise<number>> = {
  login,
  logout,
  status,
  activate,
  release,
  borrow,
  return: giveBack,
  doctor,
  run: runCommand,
};

/**
 * The outside world of one run, injectable for tests.
 *
 * @example
 * ```ts
 * const code = await run(['status', '--json'], { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 * ```
 */
export interface RunEnvironment {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clock?: Clock;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs the `leasehold` command line and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 * ```
 */
export async function run(argv: string[], world: RunEnvironment): Promise<number> {
  // Everything after "--" is the command `run` wraps, never our options.
  const dash = argv.indexOf('--');
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(dash >= 0 ? argv.slice(0, dash) : argv);
  } catch (error) {
    world.stderr(`leasehold: ${(error as Error).message}\nRun "leasehold --help" for usage.\n`);
    return EXIT_CODES.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    world.stdout(`${VERSION}\n`);
    return EXIT_CODES.OK;
  }
  const [name, ...args] = positionals;
  const commandHelp = name === 'help' ? COMMAND_HELP[args[0] ?? ''] : values.help ? COMMAND_HELP[name ?? ''] : undefined;
  if (commandHelp) {
    world.stdout(commandHelp);
    return EXIT_CODES.OK;
  }
  if (values.help || !name || name === 'help') {
    world.stdout(HELP);
    return name || values.help ? EXIT_CODES.OK : EXIT_CODES.USAGE;
  }
  const command = COMMANDS[name];
  const out = new Output(Boolean(values.json), world.stdout, world.stderr);
  if (command && name !== 'run' && (values.wait !== undefined || dash >= 0)) {
    world.stderr(`leasehold: --wait and "--" belong to "leasehold run". Run "leasehold ${name} --help" for its options.\n`);
    return EXIT_CODES.USAGE;
  }
  if (!command) {
    world.stderr(`leasehold: unknown command "${name}". Run "leasehold --help" for the list.\n`);
    return EXIT_CODES.USAGE;
  }
  const ctx: CommandContext = {
    serverUrl: values.server ?? world.env.LEASEHOLD_URL,
    product: values.product ?? world.env.LEASEHOLD_PRODUCT,
    json: Boolean(values.json),
    force: Boolean(values.force),
    stateDir: values['config-dir'] ?? defaultStateDir(world.env),
    env: world.env,
    out,
    wait: values.wait,
    rest,
    ...(world.clock ? { clock: world.clock } : {}),
    ...(world.fetch ? { fetch: world.fetch } : {}),
    ...(world.sleep ? { sleep: world.sleep } : {}),
  };
  try {
    return await command(ctx, args);
  } catch (error) {
    return report(error, out);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      product: { type: 'string' },
      'config-dir': { type: 'string' },
      json: { type: 'boolean' },
      force: { type: 'boolean' },
      wait: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

function report(error: unknown, out: Output): number {
  if (error instanceof UsageError) {
    out.stderr(`leasehold: ${error.message}\n`);
    return EXIT_CODES.USAGE;
  }
  if (error instanceof LeaseholdError) {
    const exitCode = exitCodeFor(error.code);
    if (out.json) {
      const extra = Object.fromEntries(Object.entries(error).filter(([k, v]) => !['problem', 'cause'].includes(k) && typeof v !== 'function'));
      out.stdout(`${JSON.stringify({ error: { ...extra, code: error.code, message: error.message }, exitCode }, null, 2)}\n`);
    } else {
      out.stderr(`${error.message}\n`);
    }
    return exitCode;
  }
  out.stderr(`leasehold: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_CODES.FAILURE;
}

export { formatDuration, parseDuration } from './duration.js';
export { EXIT_CODES, exitCodeFor } from './exit-codes.js';
