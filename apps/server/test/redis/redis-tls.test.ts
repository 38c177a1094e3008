import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { RedisConnection } from '../../src/redis/connection.js';
import { createPostgresDatabase } from '../support/databases.js';
import { makePrivateCa } from '../support/private-ca.js';
import { startServerProcess } from '../support/server-process.js';
import { freePort } from '../support/ssl-postgres.js';

/** Memorystore with transit encryption: TLS only, AUTH, a certificate from the instance's own CA. */
describe('Redis over TLS with a private CA', () => {
  let dir: string;
  let redis: ChildProcess;
  let port: number;
  let ca: string;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'leasehold-redis-tls-'));
    const certs = makePrivateCa(dir, '127.0.0.1', ['IP:127.0.0.1']);
    ca = certs.ca;
    port = await freePort();
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        certs.cert,
        '--tls-key-file',
        certs.key,
        '--tls-ca-cert-file',
        certs.ca,
        '--tls-auth-clients',
        'no',
        '--requirepass',
        'auth-string',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    await database?.drop();
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async (env: Record<string, string>) => {
    const server = await startServerProcess({
      LEASEHOLD_DATA_DIR: mkdtempSync(join(dir, 'data-')),
      REDIS_URL: `rediss://:auth-string@127.0.0.1:${port}`,
      ...env,
    });
    try {
      const answer = await fetch(`${server.url}/readyz`);
      return { status: answer.status, redis: (await answer.json()).checks?.redis as string };
    } finally {
      await server.stop();
    }
  };

  it('is reached with rediss:// and REDIS_CA_CERT_FILE, as the manifests set them', async () => {
    expect(await ready({ REDIS_CA_CERT_FILE: ca })).toEqual({ status: 200, redis: 'ok' });
  }, 60_000);

  it('is refused without the CA, and with another CA: the certificate is not trusted', async () => {
    const url = `rediss://:auth-string@127.0.0.1:${port}`;
    const other = makePrivateCa(mkdtempSync(join(dir, 'other-')), 'attacker', ['IP:127.0.0.1']);
    for (const caCert of [null, readFileSync(other.ca, 'utf8')]) {
      const connection = new RedisConnection(url, new Metrics({ defaultMetrics: false }), { caCert });
      try {
        expect(await connection.connect(1_500)).toBe(false);
      } finally {
        await connection.close();
      }
    }
    const trusted = new RedisConnection(url, new Metrics({ defaultMetrics: false }), { caCert: readFileSync(ca, 'utf8') });
    try {
      expect(await trusted.connect(5_000)).toBe(true);
    } finally {
      await trusted.close();
    }
  }, 30_000);
});
