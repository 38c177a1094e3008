#!/usr/bin/env node
import { LeaseClient, LeaseholdError } from '@leasehold/client';
import { licensingOptions } from './config.js';
import { exitCodeFor } from './exit-codes.js';

const USAGE = `coditect — a CODITECT-like developer tool, licensed with Leasehold

Usage:
  coditect hello              check the license, greet, and finish
  coditect work <seconds>     do some work for a while (heartbeats keep the seat), then finish
  coditect serve              keep working until interrupted (Ctrl-C or SIGTERM releases the seat)
  coditect check              check the license and quit at once with process.exit()

Environment: LEASEHOLD_URL, CODITECT_LICENSE_KEY (or run "leasehold activate"), CODITECT_JWKS (pinned keys file)
`;

function fail(error: unknown): never {
  if (error instanceof LeaseholdError) {
    console.error(`coditect: ${error.message}`);
    process.exit(exitCodeFor(error.code));
  }
  console.error(`coditect: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  if (!command || !['hello', 'work', 'serve', 'check'].includes(command)) {
    process.stdout.write(USAGE);
    process.exitCode = command ? 2 : 0;
    return;
  }
  const client = new LeaseClient(licensingOptions(process.env));
  client.on('renewed', (s) => console.log(`[license] renewed, lease until ${s.leaseExpiresAt?.toISOString()}`));
  client.on('offline', (_e, s) => console.log(`[license] server unreachable, working offline until ${s.offlineGraceUntil?.toISOString()}`));
  client.on('recovered', () => console.log('[license] back online'));
  client.on('lost', (error) => fail(error));

  const lease = await client.acquire().catch(fail);
  console.log(`CODITECT licensed (${lease.mode}; session ${lease.sessionId}; features: ${lease.entitlements.join(', ') || 'none'})`);

  if (command === 'check') {
    // process.exit() skips beforeExit: the SDK's synchronous fallback releases the seat.
    process.exit(0);
  }
  if (command === 'hello') {
    console.log('Hello from CODITECT.');
    return; // nothing left to do: the process ends by itself and the seat is released
  }
  const seconds = command === 'work' ? Number(arg ?? 3) : Number.POSITIVE_INFINITY;
  let step = 0;
  const started = Date.now();
  const work = setInterval(() => {
    step++;
    try {
      client.assertLicensed();
    } catch (error) {
      fail(error);
    }
    if ((Date.now() - started) / 1000 >= seconds) {
      clearInterval(work);
      console.log(`Work done in ${step} steps.`);
    }
  }, 250);
}

await main(process.argv.slice(2));
