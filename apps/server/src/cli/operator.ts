import { parseArgs } from 'node:util';
import { schemas } from '@leasehold/protocol';
import { isId } from '@leasehold/protocol/ids';
import { systemClock } from '../clock.js';
import { composeServices, type Services } from '../compose.js';
import type { Config } from '../config.js';
import { openDatabase } from '../db/database.js';
import { LeaseholdError } from '../errors.js';
import { systemContext } from '../request-context.js';
import { ensureKeyFile, LocalKeyFileSigner, rotateKeyFile } from '../signing/local-key-file.js';

const DEFAULT_OVERLAP = '90d';

/** Operator commands that work on the database or key file directly, without a running server. */
export async function runOperatorCommand(config: Config, command: string, args: string[], parseDuration: (t: string) => number | null): Promise<number> {
  const [sub, ...rest] = args;
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'migrate': {
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? null : `${config.dataDir}/pglite` });
      await database.migrate();
      await database.close();
      console.log(`Migrations applied (${database.kind}).`);
      return 0;
    }
    case 'keys rotate': {
      if (config.signer.kind !== 'local') {
        console.error(
          `Signer ${config.signer.kind}: rotate by creating a new key version there and pointing the configuration at it (see docs/operations.md).`,
        );
        return 2;
      }
      const { values } = parseArgs({ args: rest, options: { overlap: { type: 'string', default: DEFAULT_OVERLAP } } });
      const overlap = parseDuration(values.overlap);
      if (overlap === null) {
        console.error(`--overlap: "${values.overlap}" is not a duration like 90d, 12h or 30m`);
        return 2;
      }
      ensureKeyFile(config.signer.keyFile, systemClock.now());
      const { newKid, retiring } = rotateKeyFile(config.signer.keyFile, systemClock.now(), overlap);
      console.log(`Signing with ${newKid}.${retiring.length ? ` Still published until the overlap ends: ${retiring.join(', ')}.` : ''}`);
      console.log('Running servers pick the new key up within 30 seconds (or at once on SIGHUP).');
      return 0;
    }
    case 'keys list': {
      ensureKeyFile(config.signer.keyFile, systemClock.now());
      const signer = new LocalKeyFileSigner(config.signer.keyFile, () => systemClock.now());
      const current = await signer.currentKeyId();
      for (const key of await signer.publicKeys()) {
        console.log(`${key.kid}${key.kid === current ? '  (signing)' : ''}${key.retiresAt ? `  retires ${key.retiresAt.toISOString()}` : ''}`);
      }
      return 0;
    }
    case 'staff grant':
    case 'staff revoke':
      return withServices(config, async (services) => {
        const who = rest[0];
        if (!who) {
          console.error(`Usage: staff ${sub} USER_ID|EMAIL`);
          return 2;
        }
        const target = isId('user', who) ? { userId: who } : { email: who };
        const result = await services.staff.set(target, sub === 'grant', systemContext('operator'));
        console.log(`${result.userId} (${result.email ?? 'no e-mail'}) is ${result.staff ? 'now' : 'no longer'} staff.`);
        return 0;
      });
    case 'seats reconcile':
      return withServices(config, async (services) => {
        const { values } = parseArgs({ args: rest, options: { license: { type: 'string' } } });
        if (!services.seats.reconcile) {
          console.log('Seats are counted in PostgreSQL itself: nothing to reconcile.');
          return 0;
        }
        const report = await services.seats.reconcile(values.license);
        console.log(
          `Checked ${report.licenses} licenses: ${report.orphans} sessions only Redis held, ${report.missing} PostgreSQL held that Redis did not count.${report.rebuilt.length ? ` Rebuilt from PostgreSQL: ${report.rebuilt.join(', ')}.` : ''}`,
        );
        return 0;
      });
    case 'audit verify':
      return withServices(config, async (services) => {
        const verdict = await services.audit.verify();
        if (verdict.ok) {
          console.log(`Audit chain intact: ${verdict.events} events, head ${verdict.headHash}.`);
          return 0;
        }
        console.error(`Audit chain broken at event ${verdict.firstBadSeq}: ${verdict.reason}. ${verdict.events} events before it verify.`);
        return 1;
      });
    case 'licenses create':
      return withServices(config, async (services) => {
        const { values } = parseArgs({
          args: rest,
          options: { org: { type: 'string' }, plan: { type: 'string' }, seats: { type: 'string' }, expires: { type: 'string' } },
        });
        const input = schemas.createLicense.parse({
          organisationId: values.org,
          planId: values.plan,
          ...(values.seats ? { seats: Number(values.seats) } : {}),
          ...(values.expires ? { expiresAt: values.expires } : {}),
        });
        const license = await services.licenses.create(input, { organisationId: null }, systemContext('operator'));
        console.log(`License ${license.id} issued. Key (shown once): ${license.key}`);
        return 0;
      });
    case 'licenses list':
      return withServices(config, async (services) => {
        const { values } = parseArgs({ args: rest, options: { org: { type: 'string' }, status: { type: 'string' } } });
        const query = schemas.licenseQuery.parse({ organisationId: values.org, status: values.status, limit: 500 });
        const page = await services.licenses.list(query, { organisationId: null });
        for (const l of page.data) {
          console.log(
            `${l.id}  ${l.status.padEnd(9)}  ${l.seatsInUse}/${l.seats} seats  org ${l.organisationId}  expires ${l.expiresAt ?? 'never'}  key …${l.keyHint}`,
          );
        }
        if (page.nextCursor) console.log('(first 500 shown)');
        return 0;
      });
    case 'licenses suspend':
    case 'licenses reinstate':
    case 'licenses revoke':
      return withServices(config, async (services) => {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { reason: { type: 'string' } } });
        const id = positionals[0];
        if (!isId('license', id)) {
          console.error('Give a license ID like lic_…');
          return 2;
        }
        const license = await services.licenses.changeStatus(
          id,
          sub as 'suspend' | 'reinstate' | 'revoke',
          values.reason,
          { organisationId: null },
          systemContext('operator'),
        );
        console.log(`License ${license.id} is now ${license.status}.`);
        return 0;
      });
    default:
      console.error(`Unknown command "${[command, sub].filter(Boolean).join(' ')}". Run with --help for the list.`);
      return 2;
  }
}

async function withServices(config: Config, work: (services: Services) => Promise<number>): Promise<number> {
  const services = await composeServices(config);
  try {
    return await work(services);
  } catch (error) {
    if (error instanceof LeaseholdError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await services.close();
  }
}
