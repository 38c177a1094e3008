import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../redis/redis-support.js';

const BIN = process.env.LEASEHOLD_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/** initdb refuses root: as root, run the server binaries as the `postgres` user. */
const asPostgres = (command: string, args: string[]) =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]) : run(join(BIN, command), args);

/** Whether a throwaway PostgreSQL can be made here (the binaries, and a user initdb accepts). */
export const canMakePostgres = existsSync(join(BIN, 'initdb'));

/**
 * A PostgreSQL cluster of its own (initdb, pg_ctl), which a test may restart: never the
 * shared server. Trust authentication, no fsync, on a free port.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-pg-'));
    chmodSync(dir, 0o777);
    const data = join(dir, 'data');
    await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    const pg = new ThrowawayPostgres(dir, await freePort());
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    await asPostgres('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-l',
      join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c fsync=off -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  }

  /** Fast shutdown: connections are cut, as in a failover or a crash of the server. */
  async stop(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-w', '-m', 'immediate', 'stop']).catch(() => {});
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
