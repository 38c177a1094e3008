#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseDuration } from './cli/duration.js';
import { runOperatorCommand } from './cli/operator.js';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

const USAGE = `Leasehold server

Usage: leasehold-server <command>

  serve                        start the server (migrates first)
  migrate                      apply database migrations and exit
  keys rotate [--overlap 90d]  start signing with a new key; the old one stays published for the overlap
  keys list                    list the signing keys and when they retire
  audit verify                 check the audit hash chain; exit 1 naming the first altered or removed event
  seats reconcile [--license ID]  compare Redis's seats with PostgreSQL's sessions and repair (safe direction)
  licenses create --org ORG --plan PLAN [--seats N] [--expires ISO]
  licenses list [--org ORG] [--status STATUS]
  licenses suspend|reinstate|revoke LICENSE_ID [--reason TEXT]
  staff grant|revoke USER_ID|EMAIL   let a person use the dashboard's vendor views

Configuration comes from the environment (and a .env file in the working directory).`;

async function main(argv: string[]): Promise<number> {
  // A .env file is read in development; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (command !== 'serve') return runOperatorCommand(config, command, rest, parseDuration);

  const server = await startServer(config, (line) => console.log(line));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'draining');
    const deadline = setTimeout(() => {
      server.app.log.error('shutdown grace period passed; exiting with requests still open');
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000);
    deadline.unref();
    server.stop().then(
      () => process.exit(0),
      (error) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    const signer = server.services.signer as { refresh?: () => void };
    signer.refresh?.();
  });
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
