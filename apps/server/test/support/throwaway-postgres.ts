import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../redis/redis-support.js';

const run = promisify(execFile);

/** Where Debian puts the server binaries (the newest version installed); PATH is tried when it is not there. */
function binDir(): string {
  if (process.env.LEASEHOLD_TEST_POSTGRES_BIN) return process.env.LEASEHOLD_TEST_POSTGRES_BIN;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? `/usr/lib/postgresql/${newest}/bin` : '';
}
const BIN_DIR = binDir();
const bin = (name: string) => (existsSync(join(BIN_DIR, name)) ? join(BIN_DIR, name) : name);

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user and its commands run as that user. */
const asRoot = userInfo().uid === 0;

async function runAs(command: string, args: string[]): Promise<void> {
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', bin(command), ...args]);
  else await run(bin(command), args);
}

/** Tells whether this machine can start a PostgreSQL of its own (the binaries, and a user to run them as root). */
export async function canStartPostgres(): Promise<boolean> {
  try {
    await run(bin('pg_ctl'), ['--version']);
    if (asRoot) await run('id', ['postgres']);
    return true;
  } catch {
    return false;
  }
}

/**
 * A PostgreSQL cluster of its own on a free port, which a test may stop and start
 * again (the shared one must never be stopped). Trust authentication, no fsync.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-pg-'));
    chmodSync(dir, 0o700);
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await runAs('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const pg = new ThrowawayPostgres(dir, await freePort());
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=100`;
    await runAs('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '30', 'start']);
  }

  /** A fast shutdown: sessions are terminated ("terminating connection due to administrator command"). */
  async stop(): Promise<void> {
    await runAs('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
