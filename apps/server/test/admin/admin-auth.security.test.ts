import { ID_PREFIXES, type IdKind, newId } from '@leasehold/protocol/ids';
import { API_KEY_SCOPES } from '@leasehold/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';

interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  scope: string;
}

const KIND_BY_COLLECTION: Record<string, IdKind> = {
  products: 'product',
  plans: 'plan',
  organisations: 'organisation',
  licenses: 'license',
  sessions: 'session',
  'api-keys': 'apiKey',
};

/** Every admin route, read from the OpenAPI document so a new route cannot escape this suite. */
function adminRoutes(h: Harness): Route[] {
  const doc = h.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const routes: Route[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/admin/')) continue;
    const collection = path.split('/')[4] as string;
    const url = path.replace('{id}', newId(KIND_BY_COLLECTION[collection] as IdKind)).replace('/api/v1/admin', '');
    for (const [method, operation] of Object.entries(methods)) {
      const scope = (operation as { security?: { apiKey?: string[] }[] }).security?.[0]?.apiKey?.[0] ?? '';
      routes.push({ method: method.toUpperCase() as Route['method'], url, scope });
    }
  }
  return routes;
}

describe('admin API authorisation', () => {
  let h: Harness;
  let routes: Route[];
  let revoked: string;

  beforeAll(async () => {
    h = await createHarness('pglite');
    await h.app.ready();
    routes = adminRoutes(h);
    const key = expectStatus(await h.admin('POST', '/api-keys', { name: 'old', scopes: ['*'] }), 201);
    expectStatus(await h.admin('POST', `/api-keys/${key.id}/revoke`), 200);
    revoked = key.secret;
  });
  afterAll(() => h.close());

  it('covers every collection and gives every route a scope', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const collection of Object.keys(KIND_BY_COLLECTION)) expect(routes.some((r) => r.url.startsWith(`/${collection}`))).toBe(true);
    for (const route of routes) expect(route.scope, `${route.method} ${route.url}`).not.toBe('');
    expect(Object.keys(ID_PREFIXES)).toContain('license');
  });

  it('refuses every route without a key, with a malformed header, and with a revoked key', async () => {
    for (const route of routes) {
      const none = await h.app.inject({ method: route.method, url: `/api/v1/admin${route.url}` });
      expect(none.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(none.json().code).toBe('UNAUTHENTICATED');
      expect(none.headers['content-type']).toContain('application/problem+json');
      const basic = await h.app.inject({ method: route.method, url: `/api/v1/admin${route.url}`, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
      expect(basic.statusCode).toBe(401);
      const old = await h.admin(route.method, route.url, undefined, revoked);
      expect(old.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it('refuses every route to a key that lacks its scope', async () => {
    const scopes = [...new Set(routes.map((r) => r.scope))];
    for (const scope of scopes) {
      // The key holds every other scope, so only the missing one can explain a refusal.
      const others = [...API_KEY_SCOPES].filter((s) => s !== scope);
      const key = expectStatus(await h.admin('POST', '/api-keys', { name: `without ${scope}`, scopes: others }), 201);
      for (const route of routes.filter((r) => r.scope === scope)) {
        const answer = await h.admin(route.method, route.url, undefined, key.secret);
        expect(answer.statusCode, `${route.method} ${route.url} with ${others.join(' ')}`).toBe(403);
        expect(answer.json()).toMatchObject({ code: 'FORBIDDEN', requiredScope: scope });
      }
    }
  });

  it('stores keys hashed and shows the secret only once', async () => {
    const created = expectStatus(await h.admin('POST', '/api-keys', { name: 'ci', scopes: ['licenses:read'] }), 201);
    expect(created.secret).toMatch(/^lh_/);
    const listed = expectStatus(await h.admin('GET', '/api-keys'), 200);
    const row = listed.data.find((k: { id: string }) => k.id === created.id);
    expect(row).toMatchObject({ hint: created.secret.slice(-4) });
    expect(row).not.toHaveProperty('secret');
    expect(JSON.stringify(listed)).not.toContain(created.secret);
  });
});
