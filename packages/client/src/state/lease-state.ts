import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { JsonWebKeySet } from '../token/jwks.js';
import { readJsonFile, removeFile, writeJsonFileAtomic } from './json-file.js';

/**
 * What the SDK remembers between runs for one product on one server.
 *
 * @example
 * ```ts
 * const state: LeaseState = { version: 1, serverUrl: 'https://lic.example.com', product: 'coditect', lastSeenAt: Date.now() };
 * ```
 */
export interface LeaseState {
  version: 1;
  serverUrl: string;
  product: string;
  /** The license key given by `leasehold activate`, used when the program passes none. */
  licenseKey?: string;
  sessionId?: string;
  sessionSecret?: string;
  licenseId?: string;
  leaseToken?: string;
  heartbeatIntervalSeconds?: number;
  leaseTtlSeconds?: number;
  /** The latest time (ms) this machine has seen: a clock earlier than this was set back. */
  lastSeenAt: number;
  /**
   * Keys for offline verification when none are pinned: fetched from the server's
   * JWKS, or (for a program with pinned keys) the keys it verified with, so tools
   * without them (the leasehold CLI) can check the token too.
   */
  jwks?: JsonWebKeySet;
  /**
   * Signed key-set documents (`/.well-known/leasehold-keyset.jws`, JSON text)
   * learned online, oldest first. A program with pinned keys trusts a key from
   * them only through a chain of signatures from its pinned keys.
   */
  keysets?: string[];
}

/**
 * The file that holds one product's state on one server, in `stateDir`.
 *
 * @example
 * ```ts
 * leaseStatePath('/home/alice/.config/leasehold', 'https://lic.example.com', 'coditect');
 * // ".../leases/coditect-3f2a9c1b.json"
 * ```
 */
export function leaseStatePath(stateDir: string, serverUrl: string, product: string): string {
  const server = createHash('sha256').update(normaliseServerUrl(serverUrl)).digest('hex').slice(0, 12);
  return join(stateDir, 'leases', `${product}-${server}.json`);
}

/**
 * A server URL without a trailing slash, so `https://x/` and `https://x` are one server.
 *
 * @example
 * ```ts
 * normaliseServerUrl('https://lic.example.com/'); // "https://lic.example.com"
 * ```
 */
export function normaliseServerUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Loads, saves and forgets the cached state of one product on one server.
 *
 * @example
 * ```ts
 * const store = new LeaseStateStore('/tmp/leasehold', 'http://127.0.0.1:8080', 'coditect');
 * const state = await store.load();
 * ```
 */
export class LeaseStateStore {
  readonly path: string;
  readonly serverUrl: string;
  readonly product: string;

  constructor(stateDir: string, serverUrl: string, product: string) {
    this.serverUrl = normaliseServerUrl(serverUrl);
    this.product = product;
    this.path = leaseStatePath(stateDir, serverUrl, product);
  }

  /** The cached state, or `null` when none (or it belongs to another server or product). */
  async load(): Promise<LeaseState | null> {
    const state = await readJsonFile<LeaseState>(this.path);
    if (state?.version !== 1 || state.product !== this.product || state.serverUrl !== this.serverUrl) {
      return null;
    }
    return state;
  }

  /** Writes the state atomically, mode 0600. */
  async save(state: LeaseState): Promise<void> {
    await writeJsonFileAtomic(this.path, state);
  }

  /** Forgets the state entirely. */
  async clear(): Promise<void> {
    await removeFile(this.path);
  }
}
