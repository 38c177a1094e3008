import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a JSON file, or `null` when it does not exist or is not valid JSON
 * (a damaged cache is treated as no cache, never as a crash).
 *
 * @example
 * ```ts
 * const state = await readJsonFile<{ v: number }>('/tmp/state.json');
 * ```
 */
export async function readJsonFile<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/**
 * Writes JSON atomically: to a temporary file in the same directory, mode 0600,
 * then renamed over the target, so a crash never leaves half a file and other
 * users cannot read the secrets in it.
 *
 * @example
 * ```ts
 * await writeJsonFileAtomic('/tmp/state.json', { v: 1 });
 * ```
 */
export async function writeJsonFileAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Deletes a file if it exists.
 *
 * @example
 * ```ts
 * await removeFile('/tmp/state.json');
 * ```
 */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
