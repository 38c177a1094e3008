import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for one test's client state. */
export function tempDir(prefix = 'leasehold-client-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
