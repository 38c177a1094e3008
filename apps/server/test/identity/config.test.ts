import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('identity configuration', () => {
  it('is off by default, with the documented lifetimes', () => {
    const { identity } = loadConfig({});
    expect(identity).toMatchObject({
      google: null,
      github: null,
      oidc: null,
      external: null,
      accessTokenTtlSeconds: 900,
      deviceCodeTtlSeconds: 600,
      devicePollIntervalSeconds: 5,
      clientIds: ['leasehold-cli'],
      defaultRedirect: '/api/v1/me',
    });
  });

  it('refuses half-configured providers and unsafe choices, naming every variable', () => {
    let message = '';
    try {
      loadConfig({
        LEASEHOLD_GOOGLE_CLIENT_ID: 'id-only',
        LEASEHOLD_OIDC_CLIENT_ID: 'x',
        LEASEHOLD_OIDC_CLIENT_SECRET: 'y',
        LEASEHOLD_EXTERNAL_ISSUER: 'https://securetoken.google.com/p',
        LEASEHOLD_EXTERNAL_ALGORITHMS: 'RS256,HS256,none',
        LEASEHOLD_AUTH_REDIRECT_ORIGINS: 'javascript:alert(1)',
        LEASEHOLD_AUTH_DEFAULT_REDIRECT: '//evil.example',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'LEASEHOLD_GOOGLE_CLIENT_SECRET',
      'LEASEHOLD_OIDC_DISCOVERY_URL',
      'LEASEHOLD_EXTERNAL_AUDIENCE',
      'HS256',
      'none',
      'LEASEHOLD_AUTH_REDIRECT_ORIGINS',
      'LEASEHOLD_AUTH_DEFAULT_REDIRECT',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('reads client secrets from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-secret-'));
    try {
      writeFileSync(join(dir, 'gh'), 'from-a-file\n');
      const { identity } = loadConfig({ LEASEHOLD_GITHUB_CLIENT_ID: 'gh', LEASEHOLD_GITHUB_CLIENT_SECRET_FILE: join(dir, 'gh') });
      expect(identity.github).toMatchObject({ clientId: 'gh', clientSecret: 'from-a-file', webUrl: 'https://github.com', apiUrl: 'https://api.github.com' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
