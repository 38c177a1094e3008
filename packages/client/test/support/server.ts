import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for paths to built programs. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const serverMain = join(repoRoot, 'apps/server/dist/main.js');
const ADMIN_KEY = 'lh_test_admin_key_0123456789abcdefghijkl';

/** A running Leasehold server process with its own data directory. */
export interface TestServer {
  url: string;
  adminKey: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  /** Calls the admin API; throws on a non-2xx answer with the body. */
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Live sessions of a license, from the admin API. */
  sessions(licenseId: string): Promise<Record<string, unknown>[]>;
  /** Stops the process (SIGTERM) and waits for it. */
  stop(): Promise<void>;
  /** Stops the process and deletes its data. */
  close(): Promise<void>;
}

/** Starts `node apps/server/dist/main.js serve` on a free port in a temp data dir. */
export async function startServer(options: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'leasehold-server-')));
  const child = spawn(process.execPath, [serverMain, 'serve'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      LEASEHOLD_DATA_DIR: dataDir,
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      NODE_ENV: 'test',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += String(c);
  });
  child.stderr?.on('data', (c) => {
    output += String(c);
  });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded CI machine the embedded database alone can take tens of seconds to open.
    const timer = setTimeout(() => reject(new Error(`server did not start in 90 s:\n${output}`)), 90_000);
    const onData = () => {
      const match = output.match(/^Listening on (http:\/\/\S+)$/m);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/api/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    url,
    adminKey: ADMIN_KEY,
    dataDir,
    process: child,
    output: () => output,
    admin,
    async sessions(licenseId) {
      const page = await admin<{ data: Record<string, unknown>[] }>('GET', `/sessions?licenseId=${licenseId}&limit=500`);
      return page.data;
    },
    stop,
    async close() {
      await stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Plan terms a test may set; the rest take the server's defaults. */
export interface PlanTerms {
  seats?: number;
  seatBasis?: 'session' | 'machine' | 'user';
  leaseTtlSeconds?: number;
  heartbeatIntervalSeconds?: number;
  offlineGraceSeconds?: number;
  maxBorrowSeconds?: number;
  entitlements?: string[];
}

/** A product, plan, organisation and license created through the admin API. */
export interface SeededLicense {
  product: string;
  productId: string;
  planId: string;
  organisationId: string;
  licenseId: string;
  key: string;
}

let seq = 0;

/** Creates product → plan → organisation → license; returns the key (shown once). */
export async function seedLicense(server: TestServer, terms: PlanTerms = {}, product = 'coditect'): Promise<SeededLicense> {
  seq++;
  const existing = await server
    .admin<{ data: { id: string; code: string }[] }>('GET', '/products?limit=500')
    .then((p) => p.data.find((x) => x.code === product))
    .catch(() => undefined);
  const productId = existing?.id ?? (await server.admin<{ id: string }>('POST', '/products', { code: product, name: 'CODITECT' })).id;
  const plan = await server.admin<{ id: string }>('POST', '/plans', {
    productId,
    code: `test-plan-${seq}-${Date.now().toString(36)}`,
    name: 'Test plan',
    seats: 1,
    seatBasis: 'machine',
    leaseTtlSeconds: 60,
    heartbeatIntervalSeconds: 20,
    offlineGraceSeconds: 3600,
    maxBorrowSeconds: 7 * 86_400,
    entitlements: ['core', 'pro'],
    ...terms,
  });
  const org = await server.admin<{ id: string }>('POST', '/organisations', { name: `Acme ${seq}` });
  const license = await server.admin<{ id: string; key: string }>('POST', '/licenses', { organisationId: org.id, planId: plan.id });
  return { product, productId, planId: plan.id, organisationId: org.id, licenseId: license.id, key: license.key };
}

/** The server's JWKS, as a program would ship it. */
export async function fetchJwks(server: TestServer): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await fetch(`${server.url}/.well-known/jwks.json`);
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
