import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAccessToken, deviceLogin, logout } from '../../../../packages/client/src/index.js';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';
import { newUser, postForm, type TestUser } from './support.js';

/** The SDK's device login (what `leasehold login` runs) against the real server, with the server's clock driving both sides. */
describe('the client SDK signs in by device flow', () => {
  let h: Harness;
  let person: TestUser;
  let stateDir: string;

  beforeAll(async () => {
    h = await createHarness('pglite');
    person = await newUser(h, 'Cli');
    stateDir = mkdtempSync(join(tmpdir(), 'leasehold-login-'));
  });
  afterAll(async () => {
    await h.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Routes the SDK's requests into the app. */
  const fetchIntoApp = async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const answer = await h.app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      ...(init.body ? { payload: String(init.body) } : {}),
    });
    return new Response(answer.body, { status: answer.statusCode, headers: answer.headers as Record<string, string> });
  };

  it('logs in, refreshes and logs out', async () => {
    const common = { serverUrl: 'https://licenses.example.test', stateDir, fetch: fetchIntoApp, clock: { now: () => h.clock.now().getTime() } };
    let userCode = '';
    let polls = 0;
    const creds = await deviceLogin({
      ...common,
      onUserCode: (prompt) => {
        userCode = prompt.userCode;
      },
      sleep: async (ms) => {
        h.clock.advance(ms / 1000);
        polls += 1;
        // The person approves in the browser while the program waits.
        if (polls === 2) {
          const approved = await postForm(h, '/auth/device', { user_code: userCode, action: 'approve', csrf_token: person.csrf }, { cookie: person.cookie });
          expect(approved.statusCode).toBe(200);
        }
      },
    });
    expect(polls).toBe(2);
    const me = expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${creds.accessToken}` } }), 200);
    expect(me.user.id).toBe(person.userId);

    // Near expiry the SDK refreshes (rotating the refresh token), then signs out.
    h.clock.advance(890);
    const renewed = await currentAccessToken(common);
    expect(renewed).not.toBe(creds.accessToken);
    expectStatus(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${renewed}` } }), 200);
    expect(await logout(common)).toEqual({ revoked: true });
    expect(await currentAccessToken(common)).toBeNull();
  });
});
