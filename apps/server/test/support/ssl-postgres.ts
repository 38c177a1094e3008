import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The newest PostgreSQL server binaries Debian or Ubuntu installed. */
const BIN = existsSync('/usr/lib/postgresql')
  ? (readdirSync('/usr/lib/postgresql')
      .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`)[0] ?? '')
  : '';
const isRoot = process.getuid?.() === 0;

/** Why a throwaway PostgreSQL cannot be started here, or null when it can. */
export function sslPostgresMissing(): string | null {
  if (!BIN) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (isRoot && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no postgres user to run initdb as';
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
 * with ssl_mode=ENCRYPTED_ONLY does.
 */
export async function startSslPostgres(cert: string, key: string, login: { database: string; user: string; password: string }): Promise<SslPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'leasehold-sslpg-'));
  const data = join(dir, 'data');
  // initdb refuses root: as root, run the server as the postgres user; otherwise as ourselves.
  const asPostgres = (command: string, ...args: string[]) =>
    isRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  chmodSync(dir, 0o777);
  asPostgres(join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync');
  copyFileSync(cert, join(data, 'server.crt'));
  copyFileSync(key, join(data, 'server.key'));
  if (isRoot) execFileSync('chown', ['postgres:postgres', join(data, 'server.crt'), join(data, 'server.key')]);
  chmodSync(join(data, 'server.key'), 0o600);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nfsync = off\n`,
  );
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n');
  asPostgres(join(BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', 'start');
  const psql = (sql: string) => asPostgres(join(BIN, 'psql'), '-h', dir, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql);
  psql(`create role ${login.user} login password '${login.password}'`);
  psql(`create database ${login.database} owner ${login.user}`);
  return {
    port,
    stop() {
      const stop = [join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
      if (isRoot) spawnSync('runuser', ['-u', 'postgres', '--', ...stop], { stdio: 'ignore' });
      else spawnSync(stop[0] as string, stop.slice(1), { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
