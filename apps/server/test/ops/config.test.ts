import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has defaults that run the embedded server with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, databaseUrl: null, redisUrl: null, bootstrapAdminKey: null, publicUrl: 'http://localhost:8080' });
    expect(config.dataDir).toMatch(/data$/);
  });

  it('refuses to start naming every bad variable at once', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://r', LOG_LEVEL: 'loud', LEASEHOLD_BOOTSTRAP_ADMIN_KEY: 'short' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL', 'LEASEHOLD_BOOTSTRAP_ADMIN_KEY']) expect(message).toContain(name);
  });

  it('requires what a chosen signer needs', () => {
    expect(() => loadConfig({ LEASEHOLD_SIGNER: 'pkcs11' })).toThrow(/LEASEHOLD_PKCS11_MODULE[\s\S]*LEASEHOLD_PKCS11_PIN/);
    expect(() => loadConfig({ LEASEHOLD_SIGNER: 'kms' })).toThrow(/LEASEHOLD_KMS_KEY_VERSION/);
  });

  it('reads NAME_FILE for secrets mounted as files, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-config-'));
    writeFileSync(join(dir, 'db'), 'postgres://u:p@db:5432/leasehold\n');
    expect(loadConfig({ DATABASE_URL_FILE: join(dir, 'db') }).databaseUrl).toBe('postgres://u:p@db:5432/leasehold');
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, 'db'), DATABASE_URL: 'postgres://x' })).toThrow(/either DATABASE_URL or DATABASE_URL_FILE/);
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, 'missing') })).toThrow(/cannot read/);
  });
});
