import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

/** Why a throwaway PostgreSQL cannot be started here, or null when it can. */
export function sslPostgresMissing(): string | null {
  if (!existsSync(join(BIN, 'initdb'))) return `no ${BIN}/initdb`;
  if (process.getuid?.() !== 0) return 'needs root to run initdb as the postgres user';
  if (spawnSync('id', ['postgres']).status !== 0) return 'no postgres user';
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface SslPostgres {
  port: number;
  stop(): void;
}

/**
 * A throwaway PostgreSQL 15 on a free port that accepts only TLS connections
 * (hostnossl is rejected) with a password, serving `cert`/`key`, as Cloud SQL
 * with ssl_mode=ENCRYPTED_ONLY does. Runs as the postgres user: initdb refuses root.
 */
export async function startSslPostgres(cert: string, key: string, login: { database: string; user: string; password: string }): Promise<SslPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'leasehold-sslpg-'));
  const data = join(dir, 'data');
  const asPostgres = (command: string, ...args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  chmodSync(dir, 0o777);
  asPostgres(join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync');
  copyFileSync(cert, join(data, 'server.crt'));
  copyFileSync(key, join(data, 'server.key'));
  execFileSync('chown', ['postgres:postgres', join(data, 'server.crt'), join(data, 'server.key')]);
  chmodSync(join(data, 'server.key'), 0o600);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nfsync = off\n`,
  );
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n');
  asPostgres(join(BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', 'start');
  const psql = (sql: string) => asPostgres('psql', '-h', dir, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql);
  psql(`create role ${login.user} login password '${login.password}'`);
  psql(`create database ${login.database} owner ${login.user}`);
  return {
    port,
    stop() {
      spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
