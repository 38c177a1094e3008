import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../kernel/clock.js';

/** Who holds the embedded data directory, as written in its lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** `serve`, or the operator command that opened the directory. */
  role: string;
  startedAt: string;
  /** The running server's admin API on loopback, once it listens. */
  url?: string;
}

/** The embedded database allows one process at a time: another one holds the directory. */
export class DataDirLocked extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dir} is in use by another Leasehold process (pid ${holder.pid}, ${holder.role}, since ${holder.startedAt}). ` +
        'The embedded database has one writer: stop that process first, or run commands through the running server.',
    );
    this.name = 'DataDirLocked';
  }
}

const LOCK_FILE = 'leasehold.lock';

/** Whether the process that wrote a lock still runs (a lock of another host is taken as live: it cannot be checked). */
function alive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of `dir`'s lock, or null when it is free or its holder is gone (a stale lock). */
export function lockHolder(dir: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && alive(holder) ? holder : null;
  } catch {
    return null;
  }
}

/**
 * An exclusive lock on an embedded data directory: a file created with O_EXCL holding
 * the owner's pid. A lock whose process is gone (a crash, a kill -9) is stale and
 * taken over; a live one refuses with DataDirLocked.
 */
export class DataDirLock {
  #released = false;

  private constructor(
    readonly dir: string,
    private holder: LockHolder,
  ) {}

  static acquire(dir: string, role: string): DataDirLock {
    const path = join(dir, LOCK_FILE);
    const holder: LockHolder = { pid: process.pid, hostname: hostname(), role, startedAt: systemClock.now().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeFileSync(fd, `${JSON.stringify(holder)}\n`);
        } finally {
          closeSync(fd);
        }
        return new DataDirLock(dir, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = lockHolder(dir);
      if (current) throw new DataDirLocked(dir, current);
      // Stale: its process is gone. Removing it races only with another taker, whom O_EXCL then decides.
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first.
      }
    }
    throw new DataDirLocked(dir, lockHolder(dir) ?? holder);
  }

  /** Adds facts to the lock file (the server's URL once it listens), replacing it atomically. */
  record(facts: Partial<Pick<LockHolder, 'url'>>): void {
    if (this.#released) return;
    this.holder = { ...this.holder, ...facts };
    const path = join(this.dir, LOCK_FILE);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.holder)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      const current = JSON.parse(readFileSync(join(this.dir, LOCK_FILE), 'utf8')) as LockHolder;
      if (current.pid === process.pid && current.hostname === hostname()) unlinkSync(join(this.dir, LOCK_FILE));
    } catch {
      // Already gone.
    }
  }
}
