#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseDuration } from './cli/duration.js';
import { operatorUsage, runOperatorCommand } from './cli/operator.js';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

async function main(argv: string[]): Promise<number> {
  // A .env file is read in development; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(operatorUsage());
    return command ? 0 : 2;
  }
  if (command !== 'serve') return runOperatorCommand(argv, () => loadConfig(), parseDuration);
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
