import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readJsonFile, removeFile, writeJsonFileAtomic } from '../state/json-file.js';
import { normaliseServerUrl } from '../state/lease-state.js';

/**
 * The tokens a device sign-in left on this machine for one server.
 *
 * @example
 * ```ts
 * const creds = await loadCredentials(stateDir, serverUrl);
 * if (creds) console.log(`signed in, token expires ${new Date(creds.expiresAt)}`);
 * ```
 */
export interface StoredCredentials {
  version: 1;
  serverUrl: string;
  clientId: string;
  accessToken: string;
  refreshToken: string | null;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
}

/**
 * Where the credentials for one server live in the state directory.
 *
 * @example
 * ```ts
 * credentialsPath('/home/alice/.config/leasehold', 'https://lic.example.com');
 * ```
 */
export function credentialsPath(stateDir: string, serverUrl: string): string {
  const server = createHash('sha256').update(normaliseServerUrl(serverUrl)).digest('hex').slice(0, 12);
  return join(stateDir, 'credentials', `${server}.json`);
}

/**
 * Reads the stored credentials, or `null`.
 *
 * @example
 * ```ts
 * const creds = await loadCredentials(stateDir, serverUrl);
 * ```
 */
export async function loadCredentials(stateDir: string, serverUrl: string): Promise<StoredCredentials | null> {
  const creds = await readJsonFile<StoredCredentials>(credentialsPath(stateDir, serverUrl));
  return creds?.version === 1 && creds.serverUrl === normaliseServerUrl(serverUrl) ? creds : null;
}

/**
 * Stores credentials atomically, mode 0600.
 *
 * @example
 * ```ts
 * await saveCredentials(stateDir, creds);
 * ```
 */
export async function saveCredentials(stateDir: string, creds: StoredCredentials): Promise<void> {
  await writeJsonFileAtomic(credentialsPath(stateDir, creds.serverUrl), creds);
}

/**
 * Forgets the credentials for a server.
 *
 * @example
 * ```ts
 * await clearCredentials(stateDir, serverUrl);
 * ```
 */
export async function clearCredentials(stateDir: string, serverUrl: string): Promise<void> {
  await removeFile(credentialsPath(stateDir, serverUrl));
}
