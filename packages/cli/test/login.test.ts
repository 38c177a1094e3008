import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCredentials } from '../../client/src/index.js';
import { tempDir } from '../../client/test/support/temp-dir.js';
import { leasehold } from './support.js';

// The server has no device endpoint yet: this is a small fake of RFC 8628's shape.
let fake: Server;
let url: string;
let polls = 0;
let mode: 'approve' | 'deny' = 'approve';
const revoked: string[] = [];

beforeAll(async () => {
  fake = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const form = req.headers['content-type']?.includes('json') ? new Map(Object.entries(JSON.parse(body || '{}'))) : new URLSearchParams(body);
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/auth/device/code') {
        polls = 0;
        return send(200, {
          device_code: 'dev-123',
          user_code: 'WDJB-MJHT',
          verification_uri: `${url}/device`,
          verification_uri_complete: `${url}/device?user_code=WDJB-MJHT`,
          expires_in: 600,
          interval: 5,
        });
      }
      if (req.url === '/auth/token' && form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        polls++;
        if (form.get('device_code') !== 'dev-123') return send(400, { error: 'invalid_grant' });
        if (polls === 1) return send(400, { error: 'authorization_pending' });
        if (polls === 2) return send(400, { error: 'slow_down' });
        if (mode === 'deny') return send(400, { error: 'access_denied' });
        return send(200, { access_token: 'at-1', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 3600 });
      }
      if (req.url === '/auth/logout') {
        revoked.push(String(form.get('refresh_token') ?? ''));
        return send(200, {});
      }
      send(404, { code: 'ROUTE_NOT_FOUND' });
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

describe('leasehold login / logout (device flow)', () => {
  it('shows the code, polls through pending and slow_down, stores the tokens privately, and logs out', async () => {
    const stateDir = await tempDir();
    const env = { LEASEHOLD_URL: url, LEASEHOLD_CONFIG_DIR: stateDir };
    const waits: number[] = [];
    const result = await leasehold(['login'], env, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${url}/device?user_code=WDJB-MJHT`);
    expect(result.stderr).toContain('WDJB-MJHT');
    expect(waits).toEqual([5000, 5000, 10_000]);
    const creds = await loadCredentials(stateDir, url);
    expect(creds).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });

    const out = await leasehold(['logout'], env);
    expect(out.code).toBe(0);
    expect(revoked).toEqual(['rt-1']);
    expect(await loadCredentials(stateDir, url)).toBeNull();
  });

  it('reports a declined sign-in with exit code 7', async () => {
    mode = 'deny';
    const result = await leasehold(['login', '--json'], { LEASEHOLD_URL: url, LEASEHOLD_CONFIG_DIR: await tempDir() });
    expect(result.code).toBe(7);
    expect(result.json().error).toMatchObject({ code: 'LOGIN_FAILED' });
  });
});
