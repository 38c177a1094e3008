import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from './databases.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

export interface ServerCluster {
  servers: ServerProcess[];
  dataDir: string;
  /** Stops every server with SIGTERM and returns their exit codes, then drops the database. */
  stop(): Promise<(number | null)[]>;
}

/**
 * Several server processes on one fresh PostgreSQL database and one data directory,
 * started together so migrations, the bootstrap key and the signing key must not race.
 */
export async function startServerCluster(count: number, env: Record<string, string>): Promise<ServerCluster> {
  const database = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-cluster-'));
  const servers = await Promise.all(
    Array.from({ length: count }, () => startServerProcess({ DATABASE_URL: database.url, LEASEHOLD_DATA_DIR: dataDir, ...env })),
  );
  return {
    servers,
    dataDir,
    async stop() {
      const codes = await Promise.all(servers.map((s) => s.stop('SIGTERM')));
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      return codes;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
export type Answer = { status: number; body: any };

/** HTTP calls to a cluster's servers. Like the SDK, a 503 (overload) is retried after Retry-After. */
export function clusterClient(adminKey: string) {
  const auth = { authorization: `Bearer ${adminKey}` };
  return {
    async post(base: string, path: string, body: unknown, admin = false): Promise<Answer> {
      for (;;) {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(admin ? auth : {}) },
          body: JSON.stringify(body),
        });
        if (response.status !== 503) return { status: response.status, body: await response.json() };
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
      }
    },
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    async get(base: string, path: string): Promise<any> {
      return (await fetch(`${base}${path}`, { headers: auth })).json();
    },
  };
}

/**
 * Sets up a license of 10 seats through three servers, then sends 500 acquires at once,
 * spread over them in turn, each for another machine.
 */
export async function raceForTenSeats(client: ReturnType<typeof clusterClient>, [a, b, c]: [string, string, string]) {
  const product = (await client.post(a, '/api/v1/admin/products', { code: 'coditect', name: 'CODITECT' }, true)).body;
  const plan = (await client.post(b, '/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'Team', seats: 10 }, true)).body;
  const org = (await client.post(c, '/api/v1/admin/organisations', { name: 'Acme' }, true)).body;
  const created = await client.post(a, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true);
  if (created.status !== 201) throw new Error(`license not created: ${JSON.stringify(created.body)}`);
  const answers = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      client.post([a, b, c][i % 3] as string, '/api/v1/licenses/acquire', {
        product: 'coditect',
        licenseKey: created.body.key,
        fingerprint: `machine-${String(i).padStart(4, '0')}`,
      }),
    ),
  );
  return { license: created.body as { id: string; key: string }, answers };
}
