import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { systemContext } from '../../src/kernel/request-context.js';
import type { Harness } from '../support/harness.js';

export const CLI = 'leasehold-cli';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

let counter = 0;

export interface TestUser {
  userId: string;
  email: string;
  accessToken: string;
  /** The browser session cookie header, with the CSRF token its pages carry. */
  cookie: string;
  csrf: string;
}

/** Signs a person up directly through the account service (as a provider would) and gives them a token and a browser session. */
export async function newUser(h: Harness, name = 'User'): Promise<TestUser> {
  counter += 1;
  const email = `${name.toLowerCase()}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.test`;
  const { identity } = h.services;
  const userId = await identity.accounts.signIn({ provider: 'test', subject: `sub-${email}`, email, emailVerified: true, name }, systemContext());
  const accessToken = await identity.accessTokens.issue({ userId, clientId: CLI, scope: '' }, h.clock.now());
  const secret = await identity.signIn.openSession(userId, systemContext());
  const { csrfTokenFor } = await import('../../src/identity/sign-in-service.js');
  return { userId, email, accessToken, cookie: `lh_session=${secret}`, csrf: csrfTokenFor(secret) };
}

/** The personal organisation a new user owns. */
export async function personalOrg(h: Harness, user: TestUser): Promise<string> {
  const me = await h.services.identity.accounts.me(user.userId);
  return (me.memberships[0] as { organisationId: string }).organisationId;
}

export function asUser(h: Harness, user: Pick<TestUser, 'accessToken'> | string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const token = typeof user === 'string' ? user : user.accessToken;
  return h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

export function postForm(h: Harness, url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url, headers: { ...form, ...headers }, payload: new URLSearchParams(fields).toString() });
}

/** The Set-Cookie values of an answer, by name. */
export function cookiesOf(response: LightMyRequestResponse): Map<string, string> {
  const raw = response.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const out = new Map<string, string>();
  for (const line of list) {
    const [pair] = line.split(';');
    const eq = (pair as string).indexOf('=');
    out.set((pair as string).slice(0, eq), line);
  }
  return out;
}

export function cookieValue(setCookie: string | undefined): string {
  if (!setCookie) throw new Error('no such cookie');
  const [pair] = setCookie.split(';');
  return decodeURIComponent((pair as string).slice((pair as string).indexOf('=') + 1));
}

/** A small local HTTP server for faking a provider's endpoints. */
export async function localServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      Promise.resolve(handler(req, res, body)).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
