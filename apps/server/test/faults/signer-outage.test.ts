import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, REDIS_TEST_URL, randomPrefix } from '../redis/redis-support.js';
import { createPostgresDatabase } from '../support/databases.js';
import { ADMIN_KEY } from '../support/harness.js';
import { licenseOverHttp } from '../support/process-api.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';

// The failing signer the fault schedule preloads, checked on its own in a real server
// process on the Redis store: while it fails, acquires answer 503 naming the signer and
// take no seat. (The SQL store signs after its commit: there the seat stays taken until
// its lease ends and a retry with the same idempotency key gets it; sql-signing.test.ts.)
describe('a server process on the Redis store whose signer fails for a while', () => {
  const prefix = randomPrefix();
  let server: ServerProcess;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let faultFile: string;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-signer-'));
    faultFile = join(dataDir, 'signer-down');
    const preload = fileURLToPath(new URL('./failing-signer.mjs', import.meta.url));
    server = await startServerProcess(
      {
        DATABASE_URL: database.url,
        REDIS_URL: REDIS_TEST_URL,
        LEASEHOLD_REDIS_KEY_PREFIX: prefix,
        LEASEHOLD_DATA_DIR: dataDir,
        LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        FAULT_SIGNER_FILE: faultFile,
      },
      [],
      ['--import', preload],
    );
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await database?.drop();
    await dropPrefix(REDIS_TEST_URL, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and the signer named, takes no seat, and grants again once the signer is back', async () => {
    const license = await licenseOverHttp(server.url, 'signer', { seats: 1 });
    const acquire = async (fingerprint: string) => {
      const response = await fetch(`${server.url}/api/v1/licenses/acquire`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `License ${license.key}` },
        body: JSON.stringify({ product: 'signer', fingerprint }),
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
    };

    writeFileSync(faultFile, '');
    const refused = await acquire('machine-aaaa');
    expect(refused).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', dependency: 'signer' } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);

    rmSync(faultFile);
    // The one seat is free: the failed acquire held nothing.
    expect((await acquire('machine-bbbb')).status).toBe(200);
    expect((await acquire('machine-cccc')).status).toBe(409);
  });
});
