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

  it('takes LEASEHOLD_TRUST_PROXY as a hop count or a CIDR list, and refuses to trust every hop', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ LEASEHOLD_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ LEASEHOLD_TRUST_PROXY: '35.191.0.0/16, 130.211.0.0/22,::1' }).trustProxy).toEqual(['35.191.0.0/16', '130.211.0.0/22', '::1']);
    expect(() => loadConfig({ LEASEHOLD_TRUST_PROXY: 'true' })).toThrow(/LEASEHOLD_TRUST_PROXY: true would believe any client-written X-Forwarded-For/);
    expect(() => loadConfig({ LEASEHOLD_TRUST_PROXY: '35.191.0.0/33,lb.example' })).toThrow(/35\.191\.0\.0\/33, lb\.example: not an IP address or CIDR/);
    expect(() => loadConfig({ LEASEHOLD_TRUST_PROXY: '99' })).toThrow(/at most 10/);
  });

  it('keeps keep-alive above a load balancer’s 600 s by default, and the metrics port apart from the API port', () => {
    expect(loadConfig({}).keepAliveTimeoutSeconds).toBe(620);
    expect(loadConfig({}).metrics).toEqual({ port: null, host: '127.0.0.1', refreshSeconds: 15 });
    expect(loadConfig({ LEASEHOLD_METRICS_PORT: '9464', HOST: '0.0.0.0' }).metrics.host).toBe('0.0.0.0');
    expect(() => loadConfig({ PORT: '9464', LEASEHOLD_METRICS_PORT: '9464' })).toThrow(/LEASEHOLD_METRICS_PORT: must differ from PORT/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r:6379', REDIS_CA_CERT: '-----BEGIN CERTIFICATE-----x' })).toThrow(/only used with a rediss:\/\//);
  });
});
