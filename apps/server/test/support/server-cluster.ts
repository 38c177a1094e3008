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
