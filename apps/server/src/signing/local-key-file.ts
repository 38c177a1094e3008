import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import type { PublicSigningKey, Signer } from './signer.js';

/** The key file: every key still published, one signing. Mode 0600. */
interface KeyFile {
  version: 1;
  keys: StoredKey[];
}

/**
 * `next`: published in the JWKS and the key set, signs no token yet, so programs
 * can pin it before it is used. `current`: signs. `retired`: published until
 * `retiresAt` so the tokens it signed stay verifiable, then dropped.
 */
type KeyState = 'next' | 'current' | 'retired';

interface StoredKey {
  kid: string;
  createdAt: string;
  /** Absent in files written before key states: derived from `retiresAt`. */
  state?: KeyState;
  /** Set when a newer key replaced this one: published until then, then dropped. */
  retiresAt: string | null;
  /** PKCS#8 PEM. */
  privateKey: string;
}

function stateOf(key: StoredKey): KeyState {
  return key.state ?? (key.retiresAt ? 'retired' : 'current');
}

function stillPublished(key: StoredKey, now: Date): boolean {
  return stateOf(key) !== 'retired' || (key.retiresAt !== null && new Date(key.retiresAt) > now);
}

function newStoredKey(now: Date, state: KeyState): StoredKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // kid: the date and the key's own thumbprint prefix, readable in logs and unique.
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as JWK).x as string;
  return { kid: `${now.toISOString().slice(0, 10)}-${x.slice(0, 8)}`, createdAt: now.toISOString(), state, retiresAt: null, privateKey: pem };
}

function readKeyFile(path: string): KeyFile {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`signing key file ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  if (parsed.version !== 1 || !Array.isArray(parsed.keys) || parsed.keys.length === 0) {
    throw new Error(`signing key file ${path} is not a Leasehold key file`);
  }
  return parsed;
}

function writeKeyFile(path: string, file: KeyFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/**
 * Creates the key file with one key unless it exists. Returns true when it created it.
 * Processes starting together on one data directory race here: link() fails when the
 * file exists, so exactly one key wins and every process loads that one.
 */
export function ensureKeyFile(path: string, now: Date): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.new`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, keys: [newStoredKey(now, 'current')] }, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Publishes a `next` key that signs nothing yet, so it can be shipped pinned in
 * programs before it is used. At most one next key: an existing one is returned.
 */
export function addNextKey(path: string, now: Date): { kid: string; created: boolean } {
  const file = readKeyFile(path);
  const existing = file.keys.find((k) => stateOf(k) === 'next');
  if (existing) return { kid: existing.kid, created: false };
  const fresh = newStoredKey(now, 'next');
  writeKeyFile(path, { version: 1, keys: [...file.keys.filter((k) => stillPublished(k, now)), fresh] });
  return { kid: fresh.kid, created: true };
}

/**
 * Starts signing with the next key (a new one when none was published ahead);
 * the keys that signed until now are retired and stay published for
 * `overlapSeconds`, so the tokens they signed stay verifiable until they expire.
 * Keys past their overlap are dropped. With `publishAhead`, a new next key is
 * published at once, for the following rotation.
 */
export function rotateKeyFile(
  path: string,
  now: Date,
  overlapSeconds: number,
  options: { publishAhead?: boolean } = {},
): { newKid: string; retiring: string[]; nextKid: string | null } {
  const file = readKeyFile(path);
  const retiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
  const kept = file.keys.filter((k) => stillPublished(k, now));
  const retiring: string[] = [];
  for (const key of kept) {
    if (stateOf(key) === 'current') {
      key.state = 'retired';
      key.retiresAt = retiresAt;
      retiring.push(key.kid);
    }
  }
  let promoted = kept.find((k) => stateOf(k) === 'next');
  if (promoted) promoted.state = 'current';
  else {
    promoted = newStoredKey(now, 'current');
    kept.push(promoted);
  }
  const next = options.publishAhead ? newStoredKey(now, 'next') : null;
  writeKeyFile(path, { version: 1, keys: next ? [...kept, next] : kept });
  return { newKid: promoted.kid, retiring, nextKid: next?.kid ?? null };
}

/**
 * The embedded signer: Ed25519 keys in a local file. It re-reads the file when it
 * changes, so `keys rotate` takes effect in a running server without a restart.
 */
export class LocalKeyFileSigner implements Signer {
  readonly kind = 'local';
  readonly #path: string;
  readonly #now: () => Date;
  #mtimeMs = -1;
  #current!: { kid: string; key: KeyObject };
  #privateKeys = new Map<string, KeyObject>();
  #public: PublicSigningKey[] = [];

  constructor(path: string, now: () => Date) {
    this.#path = path;
    this.#now = now;
    this.#reloadIfChanged();
  }

  #reloadIfChanged(): void {
    const mtimeMs = statSync(this.#path).mtimeMs;
    if (mtimeMs === this.#mtimeMs) return;
    const file = readKeyFile(this.#path);
    const signing = file.keys.filter((k) => stateOf(k) === 'current');
    const current = signing[signing.length - 1];
    if (!current) throw new Error(`signing key file ${this.#path} has no current key`);
    this.#privateKeys = new Map(file.keys.map((k) => [k.kid, createPrivateKey(k.privateKey)]));
    this.#current = { kid: current.kid, key: this.#privateKeys.get(current.kid) as KeyObject };
    this.#public = file.keys.map((k) => ({
      kid: k.kid,
      jwk: { ...(createPublicKey(this.#privateKeys.get(k.kid) as KeyObject).export({ format: 'jwk' }) as JWK) },
      retiresAt: stateOf(k) === 'retired' && k.retiresAt ? new Date(k.retiresAt) : null,
      state: k.kid === current.kid ? 'current' : stateOf(k) === 'current' ? 'retired' : stateOf(k),
    }));
    this.#mtimeMs = mtimeMs;
  }

  /** Checks the file for a rotation; the server calls it on a timer and on SIGHUP. */
  refresh(): void {
    this.#reloadIfChanged();
  }

  async currentKeyId(): Promise<string> {
    return this.#current.kid;
  }

  async sign(keyId: string, data: Uint8Array): Promise<Uint8Array> {
    const key = keyId === this.#current.kid ? this.#current.key : this.#privateKeys.get(keyId);
    if (!key) throw new Error(`unknown signing key ${keyId}`);
    return sign(null, data, key);
  }

  async publicKeys(): Promise<PublicSigningKey[]> {
    const now = this.#now();
    return this.#public.filter((k) => k.state !== 'retired' || (k.retiresAt !== null && k.retiresAt > now));
  }

  /** Every key still published signs the key set, so a program that trusts any of them learns the others. */
  async keySetKeyIds(): Promise<string[]> {
    return (await this.publicKeys()).map((k) => k.kid);
  }

  async close(): Promise<void> {}
}
