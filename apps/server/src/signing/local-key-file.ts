import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import type { PublicSigningKey, Signer } from './signer.js';

/** The key file: every key still published, the newest signing. Mode 0600. */
interface KeyFile {
  version: 1;
  keys: StoredKey[];
}

interface StoredKey {
  kid: string;
  createdAt: string;
  /** Set when a newer key replaced this one: published until then, then dropped. */
  retiresAt: string | null;
  /** PKCS#8 PEM. */
  privateKey: string;
}

function newStoredKey(now: Date): StoredKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // kid: the date and the key's own thumbprint prefix, readable in logs and unique.
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as JWK).x as string;
  return { kid: `${now.toISOString().slice(0, 10)}-${x.slice(0, 8)}`, createdAt: now.toISOString(), retiresAt: null, privateKey: pem };
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
  const temp = `${path}.${process.pid}.${Date.now()}.new`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, keys: [newStoredKey(now)] }, null, 2)}\n`, { mode: 0o600 });
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
 * Adds a new signing key; the previous one keeps being published for `overlapSeconds`
 * so tokens it signed stay verifiable until they expire. Keys past their overlap are dropped.
 */
export function rotateKeyFile(path: string, now: Date, overlapSeconds: number): { newKid: string; retiring: string[] } {
  const file = readKeyFile(path);
  const retiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
  const kept = file.keys.filter((k) => !k.retiresAt || new Date(k.retiresAt) > now);
  const retiring: string[] = [];
  for (const key of kept) {
    if (!key.retiresAt) {
      key.retiresAt = retiresAt;
      retiring.push(key.kid);
    }
  }
  const fresh = newStoredKey(now);
  writeKeyFile(path, { version: 1, keys: [...kept, fresh] });
  return { newKid: fresh.kid, retiring };
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
    const signing = file.keys.filter((k) => !k.retiresAt);
    const current = signing[signing.length - 1] ?? file.keys[file.keys.length - 1];
    if (!current) throw new Error(`signing key file ${this.#path} has no keys`);
    this.#privateKeys = new Map(file.keys.map((k) => [k.kid, createPrivateKey(k.privateKey)]));
    this.#current = { kid: current.kid, key: this.#privateKeys.get(current.kid) as KeyObject };
    this.#public = file.keys.map((k) => ({
      kid: k.kid,
      jwk: { ...(createPublicKey(this.#privateKeys.get(k.kid) as KeyObject).export({ format: 'jwk' }) as JWK) },
      retiresAt: k.retiresAt ? new Date(k.retiresAt) : null,
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

  /** Signs synchronously with the current key: the hot path avoids a promise per token. */
  signNow(data: Uint8Array): { kid: string; signature: Uint8Array } {
    return { kid: this.#current.kid, signature: sign(null, data, this.#current.key) };
  }

  async publicKeys(): Promise<PublicSigningKey[]> {
    const now = this.#now();
    return this.#public.filter((k) => !k.retiresAt || k.retiresAt > now);
  }

  async close(): Promise<void> {}
}
