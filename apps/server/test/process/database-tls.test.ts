import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrivateCa } from '../support/private-ca.js';
import { SERVER_MAIN, startServerProcess } from '../support/server-process.js';
import { type SslPostgres, sslPostgresMissing, startSslPostgres } from '../support/ssl-postgres.js';

const run = promisify(execFile);
const CLOUDSQL = new URL('../../../../deploy/tofu/modules/cloudsql/', import.meta.url);
/** Where the manifests mount Secret Manager files (deploy/k8s/base). */
const SECRETS_MOUNT = '/var/run/secrets/leasehold/';

/** The query string of DATABASE_URL exactly as OpenTofu writes it into Secret Manager, and the CA path default. */
async function manifestDatabaseUrl(): Promise<{ query: string; caPath: string }> {
  const outputs = (await parse('outputs.tf', readFileSync(new URL('outputs.tf', CLOUDSQL), 'utf8'))) as { output: Record<string, { value: string }[]> };
  const variables = (await parse('variables.tf', readFileSync(new URL('variables.tf', CLOUDSQL), 'utf8'))) as {
    variable: Record<string, { default: string }[]>;
  };
  const caPath = variables.variable.server_ca_path?.[0]?.default as string;
  const value = outputs.output.database_url?.[0]?.value as string;
  const query = value.slice(value.indexOf('?') + 1).replace(/\$\{var\.server_ca_path\}/, caPath);
  return { query, caPath };
}

const missing = sslPostgresMissing();
if (missing) console.warn(`SKIPPED database TLS test: ${missing}`);

/** Cloud SQL as the pods meet it: TLS only, a server certificate from a private per-instance CA, named project:instance. */
describe.skipIf(Boolean(missing))(`migrate and serve against an SSL-only PostgreSQL with a private CA${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let postgres: SslPostgres;
  let secrets: string;
  let base: string;
  let query: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leasehold-dbtls-'));
    const ca = makePrivateCa(dir, 'test-project:leasehold-pg');
    postgres = await startSslPostgres(ca.cert, ca.key, { database: 'leasehold', user: 'leasehold', password: 'secret' });
    const manifest = await manifestDatabaseUrl();
    expect(manifest.caPath.startsWith(SECRETS_MOUNT)).toBe(true);
    // The same file layout as the CSI mount, under a temporary folder.
    secrets = join(dir, 'secrets');
    rmSync(secrets, { recursive: true, force: true });
    await run('mkdir', ['-p', secrets]);
    writeFileSync(join(secrets, manifest.caPath.slice(SECRETS_MOUNT.length)), readFileSync(ca.ca));
    query = manifest.query.replaceAll(SECRETS_MOUNT, `${secrets}/`);
    base = `postgres://leasehold:secret@127.0.0.1:${postgres.port}/leasehold`;
  }, 60_000);
  afterAll(() => {
    postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a command the way the Job and the Deployment do: DATABASE_URL_FILE from the secrets mount. */
  const env = (url: string) => {
    const file = join(secrets, 'database-url');
    writeFileSync(file, url);
    return { PATH: process.env.PATH ?? '', DATABASE_URL_FILE: file, LEASEHOLD_DATA_DIR: dir, LOG_LEVEL: 'warn' };
  };
  const migrate = (url: string) => run(process.execPath, [SERVER_MAIN, 'migrate'], { env: env(url), timeout: 30_000 });

  it('migrates, then serves and is ready, with the URL the manifests use', async () => {
    await migrate(`${base}?${query}`);
    const server = await startServerProcess(env(`${base}?${query}`));
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).checks.database).toBe('ok');
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('refuses a server whose certificate another CA signed, and plain connections are rejected', async () => {
    const other = makePrivateCa(mkdtempSync(join(dir, 'other-')), 'attacker');
    writeFileSync(join(secrets, 'other-ca.pem'), readFileSync(other.ca));
    await expect(migrate(`${base}?${query.replace(/sslrootcert=[^&]+/, `sslrootcert=${secrets}/other-ca.pem`)}`)).rejects.toMatchObject({
      stderr: expect.stringMatching(/self[- ]signed certificate|unable to verify|certificate/i),
    });
    await expect(migrate(`${base}?sslmode=disable`)).rejects.toMatchObject({ stderr: expect.stringMatching(/no encryption|pg_hba/) });
  }, 60_000);

  it('fails as the old URL did: sslmode=require checks the name against the public CAs', async () => {
    await expect(migrate(`${base}?sslmode=require`)).rejects.toMatchObject({ stderr: expect.stringMatching(/unable to verify|self[- ]signed|certificate/i) });
  }, 30_000);
});
