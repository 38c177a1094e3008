import { schemas } from '@leasehold/protocol';
import { isId } from '@leasehold/protocol/ids';
import type { ZodType } from 'zod';
import type { Services } from '../app-services.js';
import { composeServices } from '../compose.js';
import { type Config, ConfigError } from '../config.js';
import { DataDirLocked, type LockHolder, lockHolder } from '../db/data-dir-lock.js';
import { openDatabase } from '../db/database.js';
import { systemClock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import { systemContext } from '../kernel/request-context.js';
import { addNextKey, ensureKeyFile, LocalKeyFileSigner, rotateKeyFile } from '../signing/local-key-file.js';
import { describeIssues, type OperatorOption, OperatorUsageError, parseOperatorArgs } from './operator-args.js';
import { OPERATOR_KEY_VARIABLE, runThroughServer } from './remote-operator.js';

const DEFAULT_OVERLAP = '90d';
const everyone = { organisationId: null };
const operator = () => systemContext('operator');

/** What a command prints: `data` with --json, else the human lines. */
interface Answer {
  data: unknown;
  lines: string[];
}

interface Run {
  config: Config;
  values: Record<string, string | number | string[] | boolean>;
  positionals: string[];
  parseDuration: (text: string) => number | null;
  /** Validates a request with its schema; mistakes become readable usage errors. */
  input<T>(schema: ZodType<T>, value: unknown): T;
  services(): Promise<Services>;
}

interface OperatorCommand {
  usage: string;
  summary: string;
  options?: Record<string, OperatorOption>;
  positionals?: number;
  run(run: Run): Promise<Answer>;
}

const list = (help: string, field?: string): OperatorOption => ({ kind: 'list', help, ...(field ? { field } : {}) });
const str = (help: string, field?: string, required = false): OperatorOption => ({ kind: 'string', help, required, ...(field ? { field } : {}) });
const int = (help: string, field?: string): OperatorOption => ({ kind: 'int', help, ...(field ? { field } : {}) });

function localKeyFile(config: Config): string {
  if (config.signer.kind !== 'local') {
    throw new OperatorUsageError([
      `Signer ${config.signer.kind}: keys are managed there (create a key version, list it in the configuration); see docs/operations.md.`,
    ]);
  }
  ensureKeyFile(config.signer.keyFile, systemClock.now());
  return config.signer.keyFile;
}

const licenseLine = (l: {
  id: string;
  status: string;
  seatsInUse?: number;
  seats: number;
  organisationId: string;
  expiresAt: string | null;
  keyHint?: string;
}) =>
  `${l.id}  ${l.status.padEnd(9)}  ${l.seatsInUse ?? 0}/${l.seats} seats  org ${l.organisationId}  expires ${l.expiresAt ?? 'never'}${l.keyHint ? `  key …${l.keyHint}` : ''}`;

function licenseStatusCommand(action: 'suspend' | 'reinstate' | 'revoke'): OperatorCommand {
  return {
    usage: `licenses ${action} LICENSE_ID [--reason TEXT]`,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a license (audited with the reason).`,
    options: { reason: str('why, for the audit log') },
    positionals: 1,
    async run(r) {
      const id = r.positionals[0] as string;
      if (!isId('license', id)) throw new OperatorUsageError([`"${id}" is not a license ID (lic_…)`]);
      const reason = r.values.reason as string | undefined;
      const license = await (await r.services()).licenses.changeStatus(id, action, reason, everyone, operator());
      return { data: license, lines: [`License ${license.id} is now ${license.status}.`] };
    },
  };
}

/** Lets a person use the dashboard's vendor views, or takes that away. */
function staffCommand(action: 'grant' | 'revoke'): OperatorCommand {
  return {
    usage: `staff ${action} USER_ID|EMAIL`,
    summary: action === 'grant' ? "Let a person use the dashboard's vendor views." : "Take the dashboard's vendor views away from a person.",
    positionals: 1,
    async run(r) {
      const who = r.positionals[0] as string;
      const target = isId('user', who) ? { userId: who } : { email: who };
      const result = await (await r.services()).staff.set(target, action === 'grant', operator());
      return { data: result, lines: [`${result.userId} (${result.email ?? 'no e-mail'}) is ${result.staff ? 'now' : 'no longer'} staff.`] };
    },
  };
}

/** Every operator command, by its words. */
const OPERATOR_COMMANDS: Record<string, OperatorCommand> = {
  migrate: {
    usage: 'migrate',
    summary: 'Apply database migrations and exit.',
    async run(r) {
      const database = await openDatabase({ url: r.config.databaseUrl, dataDir: r.config.databaseUrl ? null : `${r.config.dataDir}/pglite`, role: 'migrate' });
      await database.migrate();
      await database.close();
      return { data: { migrated: true, database: database.kind }, lines: [`Migrations applied (${database.kind}).`] };
    },
  },
  'keys add': {
    usage: 'keys add',
    summary: 'Publish the next signing key ahead of use: in the JWKS and the key set at once, signing nothing until "keys rotate".',
    async run(r) {
      const { kid, created } = addNextKey(localKeyFile(r.config), systemClock.now());
      return {
        data: { kid, state: 'next', created },
        lines: [
          created ? `Published ${kid} as the next key: in the JWKS now, signing nothing until "keys rotate".` : `${kid} is already published as the next key.`,
        ],
      };
    },
  },
  'keys rotate': {
    usage: `keys rotate [--overlap ${DEFAULT_OVERLAP}] [--publish-ahead]`,
    summary: 'The next key (or a new one) starts signing; the old one is retired and stays published for the overlap.',
    options: {
      overlap: str(`how long the retired key stays published, e.g. 90d, 12h (default ${DEFAULT_OVERLAP})`),
      'publish-ahead': { kind: 'boolean', help: 'also publish the following next key at once' },
    },
    async run(r) {
      const text = (r.values.overlap as string | undefined) ?? DEFAULT_OVERLAP;
      const overlap = r.parseDuration(text);
      if (overlap === null) throw new OperatorUsageError([`--overlap: "${text}" is not a duration like 90d, 12h or 30m`]);
      const result = rotateKeyFile(localKeyFile(r.config), systemClock.now(), overlap, { publishAhead: r.values['publish-ahead'] === true });
      const lines = [
        `Signing with ${result.newKid}.${result.retiring.length ? ` Still published until the overlap ends: ${result.retiring.join(', ')}.` : ''}`,
      ];
      if (result.nextKid) lines.push(`Published ahead as the next key: ${result.nextKid} (ship it pinned in the next release).`);
      lines.push('Running servers pick the change up within 30 seconds (or at once on SIGHUP).');
      return { data: result, lines };
    },
  },
  'keys list': {
    usage: 'keys list',
    summary: 'List the published keys, their state (next, current, retired) and when retired ones drop.',
    async run(r) {
      const keys = await new LocalKeyFileSigner(localKeyFile(r.config), () => systemClock.now()).publicKeys();
      const data = keys.map((k) => ({ kid: k.kid, state: k.state ?? null, retiresAt: k.retiresAt?.toISOString() ?? null }));
      return { data, lines: data.map((k) => `${k.kid}  ${k.state ?? ''}${k.retiresAt ? `  published until ${k.retiresAt}` : ''}`) };
    },
  },
  'audit verify': {
    usage: 'audit verify',
    summary: 'Check the audit hash chain; exit 1 naming the first altered or removed event.',
    async run(r) {
      const verdict = await (await r.services()).audit.verify();
      if (verdict.ok) return { data: verdict, lines: [`Audit chain intact: ${verdict.events} events, head ${verdict.headHash}.`] };
      throw new LeaseholdError(
        'INVALID_STATE',
        `Audit chain broken at event ${verdict.firstBadSeq}: ${verdict.reason}. ${verdict.events} events before it verify.`,
      );
    },
  },
  'seats reconcile': {
    usage: 'seats reconcile [--license LICENSE_ID]',
    summary:
      "With REDIS_URL: compare Redis's seats with PostgreSQL's sessions per license and rebuild a license that disagrees from PostgreSQL (the safe direction).",
    options: { license: str('only this license (lic_…)') },
    async run(r) {
      const license = r.values.license as string | undefined;
      if (license !== undefined && !isId('license', license)) throw new OperatorUsageError([`--license: "${license}" is not a license ID (lic_…)`]);
      const seats = (await r.services()).seats;
      if (!seats.reconcile) return { data: { reconciled: false }, lines: ['Seats are counted in PostgreSQL itself: nothing to reconcile.'] };
      const report = await seats.reconcile(license);
      return {
        data: report,
        lines: [
          `Checked ${report.licenses} licenses: ${report.orphans} sessions only Redis held, ${report.missing} PostgreSQL held that Redis did not count.${report.rebuilt.length ? ` Rebuilt from PostgreSQL: ${report.rebuilt.join(', ')}.` : ''}`,
        ],
      };
    },
  },
  'staff grant': staffCommand('grant'),
  'staff revoke': staffCommand('revoke'),
  'products create': {
    usage: 'products create --code CODE --name NAME',
    summary: 'Create a product: the software being licensed.',
    options: { code: str('a short code, e.g. coditect', 'code', true), name: str('the display name', 'name', true) },
    async run(r) {
      const input = r.input(schemas.createProduct, { code: r.values.code, name: r.values.name });
      const product = await (await r.services()).catalog.createProduct(input, operator());
      return { data: product, lines: [`Product ${product.id} (${product.code}) created.`] };
    },
  },
  'products list': {
    usage: 'products list',
    summary: 'List the products.',
    async run(r) {
      const page = await (await r.services()).catalog.listProducts(500);
      return { data: page.data, lines: page.data.map((p) => `${p.id}  ${p.code}  ${p.name}`) };
    },
  },
  'plans create': {
    usage:
      'plans create --product PRODUCT_ID --code CODE --name NAME [--seats N] [--seat-basis session|machine|user] [--lease-ttl SECONDS] [--heartbeat SECONDS] [--offline-grace SECONDS] [--max-borrow SECONDS] [--overage N] [--entitlements a,b] [--duration-days N]',
    summary: 'Create a plan: the terms licenses are issued under.',
    options: {
      product: str('the product ID (prd_…)', 'productId', true),
      code: str('a short code, e.g. team', 'code', true),
      name: str('the display name', 'name', true),
      seats: int('seats per license (default 1)', 'seats'),
      'seat-basis': str('what one seat counts: session, machine (default) or user', 'seatBasis'),
      'lease-ttl': int('lease TTL in seconds (default 360)', 'leaseTtlSeconds'),
      heartbeat: int('heartbeat interval in seconds (default 60)', 'heartbeatIntervalSeconds'),
      'offline-grace': int('offline grace in seconds (default 86400)', 'offlineGraceSeconds'),
      'max-borrow': int('longest borrow in seconds (default 0: none)', 'maxBorrowSeconds'),
      overage: int('seats allowed over the limit (default 0)', 'overage'),
      entitlements: list('comma-separated entitlements', 'entitlements'),
      'duration-days': int('trial length in days', 'durationDays'),
    },
    async run(r) {
      const v = r.values;
      const input = r.input(
        schemas.createPlan,
        Object.fromEntries(
          Object.entries({
            productId: v.product,
            code: v.code,
            name: v.name,
            seats: v.seats,
            seatBasis: v['seat-basis'],
            leaseTtlSeconds: v['lease-ttl'],
            heartbeatIntervalSeconds: v.heartbeat,
            offlineGraceSeconds: v['offline-grace'],
            maxBorrowSeconds: v['max-borrow'],
            overage: v.overage,
            entitlements: v.entitlements,
            durationDays: v['duration-days'],
          }).filter(([, value]) => value !== undefined),
        ),
      );
      const plan = await (await r.services()).catalog.createPlan(input, operator());
      return { data: plan, lines: [`Plan ${plan.id} (${plan.code}) created: ${plan.seats} seat(s), ${plan.seatBasis} basis.`] };
    },
  },
  'plans list': {
    usage: 'plans list [--product PRODUCT_ID]',
    summary: 'List the plans, of one product or all.',
    options: { product: str('only this product (prd_…)', 'productId') },
    async run(r) {
      const query = r.input(schemas.planQuery, { productId: r.values.product, limit: 500 });
      const page = await (await r.services()).catalog.listPlans(500, undefined, query.productId);
      return { data: page.data, lines: page.data.map((p) => `${p.id}  ${p.code}  ${p.name}  ${p.seats} seat(s)  product ${p.productId}`) };
    },
  },
  'organisations create': {
    usage: 'organisations create --name NAME',
    summary: 'Create an organisation: a customer.',
    options: { name: str('the organisation name', 'name', true) },
    async run(r) {
      const input = r.input(schemas.createOrganisation, { name: r.values.name });
      const organisation = await (await r.services()).organisations.create(input, everyone, operator());
      return { data: organisation, lines: [`Organisation ${organisation.id} (${organisation.name}) created.`] };
    },
  },
  'organisations list': {
    usage: 'organisations list',
    summary: 'List the organisations.',
    async run(r) {
      const page = await (await r.services()).organisations.list(500, undefined, everyone);
      return { data: page.data, lines: page.data.map((o) => `${o.id}  ${o.name}`) };
    },
  },
  'licenses create': {
    usage: 'licenses create --org ORG_ID --plan PLAN_ID [--seats N] [--expires ISO-8601]',
    summary: 'Issue a license; its key is shown once.',
    options: {
      org: str('the organisation ID (org_…)', 'organisationId', true),
      plan: str('the plan ID (pln_…)', 'planId', true),
      seats: int('seats, instead of the plan’s', 'seats'),
      expires: str('expiry, e.g. 2030-01-01T00:00:00Z', 'expiresAt'),
    },
    async run(r) {
      const v = r.values;
      const input = r.input(schemas.createLicense, {
        organisationId: v.org,
        planId: v.plan,
        ...(v.seats !== undefined ? { seats: v.seats } : {}),
        ...(v.expires !== undefined ? { expiresAt: v.expires } : {}),
      });
      const license = await (await r.services()).licenses.create(input, everyone, operator());
      return { data: license, lines: [`License ${license.id} issued. Key (shown once): ${license.key}`] };
    },
  },
  'licenses list': {
    usage: 'licenses list [--org ORG_ID] [--status active|suspended|expired|revoked]',
    summary: 'List licenses (the first 500).',
    options: { org: str('only this organisation', 'organisationId'), status: str('only this status', 'status') },
    async run(r) {
      const query = r.input(schemas.licenseQuery, { organisationId: r.values.org, status: r.values.status, limit: 500 });
      const page = await (await r.services()).licenses.list(query, everyone);
      const lines = page.data.map(licenseLine);
      if (page.nextCursor) lines.push('(first 500 shown)');
      return { data: page.data, lines };
    },
  },
  'licenses suspend': licenseStatusCommand('suspend'),
  'licenses reinstate': licenseStatusCommand('reinstate'),
  'licenses revoke': licenseStatusCommand('revoke'),
  'api-keys create': {
    usage: 'api-keys create --name NAME --scopes SCOPE[,SCOPE…] [--org ORG_ID]',
    summary: 'Create an admin API key; the secret is shown once. Scopes: * or e.g. licenses:read,licenses:write.',
    options: {
      name: str('what the key is for', 'name', true),
      scopes: { ...list('comma-separated scopes, or *', 'scopes'), required: true },
      org: str('bind the key to one organisation (org_…)', 'organisationId'),
    },
    async run(r) {
      const input = r.input(schemas.createApiKey, { name: r.values.name, scopes: r.values.scopes, organisationId: r.values.org ?? null });
      const key = await (await r.services()).apiKeys.create(input, everyone, operator());
      return { data: key, lines: [`API key ${key.id} created. Secret (shown once): ${key.secret}`] };
    },
  },
  'api-keys list': {
    usage: 'api-keys list',
    summary: 'List the API keys (never their secrets).',
    async run(r) {
      const page = await (await r.services()).apiKeys.list(500, undefined);
      return {
        data: page.data,
        lines: page.data.map((k) => `${k.id}  ${k.name}  ${k.scopes.join(',')}  …${k.hint}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}`),
      };
    },
  },
  'api-keys revoke': {
    usage: 'api-keys revoke API_KEY_ID',
    summary: 'Revoke an API key at once.',
    positionals: 1,
    async run(r) {
      const id = r.positionals[0] as string;
      if (!isId('apiKey', id)) throw new OperatorUsageError([`"${id}" is not an API key ID`]);
      const key = await (await r.services()).apiKeys.revoke(id, operator());
      return { data: key, lines: [`API key ${key.id} revoked.`] };
    },
  },
};

/** `leasehold-server --help`: one line per command. */
export function operatorUsage(): string {
  const commands = Object.values(OPERATOR_COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'Leasehold server',
    '',
    'Usage: leasehold-server <command> [options]   (every command takes --json and --help)',
    '',
    '  serve',
    '      Start the server (migrates first).',
    ...commands,
    '',
    'Configuration comes from the environment (and a .env file in the working directory).',
  ].join('\n');
}

/** The command named by the first words of `argv`, and the rest. */
function findOperatorCommand(argv: string[]): { name: string; command: OperatorCommand; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = OPERATOR_COMMANDS[name];
    if (command && argv.slice(0, words).every((w) => !w.startsWith('-'))) return { name, command, rest: argv.slice(words) };
  }
  return null;
}

/** `leasehold-server <command> --help`. */
function commandHelp(command: OperatorCommand): string {
  const options = Object.entries(command.options ?? {}).map(([name, o]) => `  --${name.padEnd(16)} ${o.required ? '(required) ' : ''}${o.help}`);
  return [
    `Usage: leasehold-server ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...options,
    '  --json             print the result as JSON',
    '  -h, --help         show this help',
  ].join('\n');
}

type Print = { out: (text: string) => void; err: (text: string) => void };

/** Whether a command opens the database (the key commands work on the key file alone). */
const opensDatabase = (name: string) => !name.startsWith('keys ');

/**
 * Runs an operator command. Those on the database open it directly, except the embedded
 * one while a server holds it: the embedded database has one writer, so they go through
 * that server's admin API (with the operator's key) or refuse, saying what to do.
 * Returns the exit code: 0 done, 1 refused, 2 usage, 3 the data directory is in use.
 */
export async function runOperatorCommand(
  argv: string[],
  loadConfig: () => Config,
  parseDuration: (t: string) => number | null,
  print: Print = { out: console.log, err: console.error },
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const found = findOperatorCommand(argv);
  if (!found) {
    print.err(
      `Unknown command "${argv
        .filter((a) => !a.startsWith('-'))
        .slice(0, 2)
        .join(' ')}". Run "leasehold-server --help" for the list.`,
    );
    return 2;
  }
  const { name, command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    print.out(commandHelp(command));
    return 0;
  }
  const json = rest.includes('--json');
  let services: Services | null = null;
  try {
    const { values, positionals } = parseOperatorArgs(rest, command.options ?? {}, command.positionals ?? 0);
    let config: Config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) throw new OperatorUsageError([error.message]);
      throw error;
    }
    const embedded = opensDatabase(name) && !config.databaseUrl;
    const holder = embedded ? lockHolder(config.dataDir) : null;
    if (holder) return await throughHolder(holder, config.dataDir, argv, env, print);
    const answer = await command.run({
      config,
      values,
      positionals,
      parseDuration,
      input: (schema, value) => {
        const result = schema.safeParse(value);
        if (!result.success) throw new OperatorUsageError(describeIssues(result.error.issues, command.options ?? {}));
        return result.data;
      },
      services: async () => {
        if (!services) {
          const database = embedded ? await openDatabase({ url: null, dataDir: `${config.dataDir}/pglite`, role: name }) : undefined;
          services = await composeServices(config, database ? { database } : {});
        }
        return services;
      },
    });
    print.out(json ? JSON.stringify(answer.data, null, 2) : answer.lines.join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof DataDirLocked) return await throughHolder(error.holder, error.dir, argv, env, print);
    if (error instanceof OperatorUsageError) {
      if (json) print.out(JSON.stringify({ error: { code: 'USAGE', problems: error.lines } }, null, 2));
      else print.err(`leasehold-server ${name}: ${error.lines.join('\n  ')}\nRun "leasehold-server ${name} --help" for its options.`);
      return 2;
    }
    if (error instanceof LeaseholdError) {
      if (json) print.out(JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2));
      else print.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    if (services) await (services as Services).close();
  }
}

async function throughHolder(holder: LockHolder, dataDir: string, argv: string[], env: Record<string, string | undefined>, print: Print): Promise<number> {
  const key = env[OPERATOR_KEY_VARIABLE];
  const [command = '', ...args] = argv.filter((a) => a !== '--json');
  if (holder.role === 'serve' && holder.url && key) return runThroughServer(holder.url, key, command, args);
  if (holder.role === 'serve') {
    print.err(
      [
        `A Leasehold server (pid ${holder.pid}) is running on ${dataDir}; the embedded database has one writer, so this command did not open it and changed nothing.`,
        holder.url
          ? `To run it through that server, set ${OPERATOR_KEY_VARIABLE} to an admin API key and run it again (it calls ${holder.url}/api/v1/admin), or use the admin API.`
          : 'The server is still starting: run the command again in a moment.',
        'Or stop the server (SIGTERM) and run the command then.',
      ].join('\n'),
    );
    return 3;
  }
  print.err(`${dataDir} is in use by another command (pid ${holder.pid}, ${holder.role}); run this one again when it has finished.`);
  return 3;
}
