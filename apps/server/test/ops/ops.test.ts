import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ADMIN_KEY, acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';

describe('operations endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('pglite');
  });
  afterAll(() => h.close());

  it('answers liveness without touching dependencies', async () => {
    expectStatus(await h.app.inject({ method: 'GET', url: '/healthz' }), 200);
  });

  it('is ready with the database and reports it', async () => {
    const ready = expectStatus(await h.app.inject({ method: 'GET', url: '/readyz' }), 200);
    expect(ready.checks).toEqual({ database: 'ok' });
  });

  it('publishes Prometheus metrics: latency by route, seats and denials by license', async () => {
    const seed = await seedLicense(h, { seats: 1 });
    expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-aaaa')), 200);
    await h.licensing('acquire', acquireBody(seed, 'machine-bbbb'));
    // Seat gauges are refreshed in the background (every LEASEHOLD_METRICS_REFRESH_SECONDS), not by the scrape.
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).body).not.toContain(`leasehold_seats_in_use{license_id="${seed.licenseId}"}`);
    await h.services.gauges.refresh();
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('leasehold_dependency_up{dependency="database"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/v1/licenses/acquire",status_code="200"}');
    expect(text).toContain(`leasehold_seats_in_use{license_id="${seed.licenseId}"} 1`);
    expect(text).toContain(`leasehold_seats_total{license_id="${seed.licenseId}"} 1`);
    expect(text).toContain(`leasehold_seat_denials_total{license_id="${seed.licenseId}",code="NO_SEAT_AVAILABLE"} 1`);
    expect(text).toContain('leasehold_sessions_expired_total');
    expect(text).toContain('leasehold_db_errors_total');
  });

  it('returns the request id in a header, and keeps a well-formed one the caller sent', async () => {
    const own = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(own.headers['x-request-id']).toBe('trace-123');
    const bad = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'has spaces\tand tabs' } });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
  });

  it('serves OpenAPI from the same schemas, and the docs page', async () => {
    const doc = expectStatus(await h.app.inject({ method: 'GET', url: '/openapi.json' }), 200);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/licenses/acquire', '/api/v1/licenses/heartbeat', '/api/v1/admin/licenses/{id}']));
    expect(doc.paths['/api/v1/licenses/acquire'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AcquireRequest' });
    expect(doc.components.schemas.AcquireRequest.required).toEqual(expect.arrayContaining(['product', 'fingerprint']));
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('fails readiness when the database is gone', async () => {
    const other = await createHarness('postgres');
    expectStatus(await other.app.inject({ method: 'GET', url: '/readyz' }), 200);
    await other.db.database.close();
    const answer = await other.app.inject({ method: 'GET', url: '/readyz' });
    expect(answer.statusCode).toBe(503);
    expect(answer.json().checks.database).toMatch(/unreachable/);
    expect(answer.headers['retry-after']).toBeDefined();
    await other.app.close();
    await other.db.dispose().catch(() => {});
  });
});

describe('logs', () => {
  it('are JSON with request ids and carry no secrets', async () => {
    const h = await createHarness('pglite');
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp(h.services, { level: 'trace', stream } as never);
    try {
      const inject = (url: string, body: unknown, auth = true) =>
        app.inject({
          method: 'POST',
          url,
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
        });
      const product = (await inject('/api/v1/admin/products', { code: 'logged', name: 'L' })).json();
      const plan = (await inject('/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'P', seats: 5 })).json();
      const org = (await inject('/api/v1/admin/organisations', { name: 'O' })).json();
      const license = (await inject('/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id })).json();
      const key = (await inject('/api/v1/admin/api-keys', { name: 'k', scopes: ['*'] })).json();
      const session = (await inject('/api/v1/licenses/acquire', { product: 'logged', licenseKey: license.key, fingerprint: 'machine-log1' }, false)).json();
      await inject('/api/v1/licenses/heartbeat', { sessionId: session.sessionId, sessionSecret: session.sessionSecret }, false);
      // The header forms of the same credentials, with trace logging on: the headers must not reach a line either.
      const viaHeader = (url: string, body: unknown, headers: Record<string, string>) =>
        app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
      const headerSeat = (
        await viaHeader('/api/v1/licenses/acquire', { product: 'logged', fingerprint: 'machine-log2' }, { authorization: `License ${license.key}` })
      ).json();
      await viaHeader('/api/v1/licenses/heartbeat', { sessionId: headerSeat.sessionId }, { 'leasehold-session-secret': headerSeat.sessionSecret });
      // The secrets below are real ones: every step above succeeded.
      for (const secret of [license.key, key.secret, session.sessionSecret, headerSeat.sessionSecret]) expect(secret).toEqual(expect.any(String));
      await inject('/api/v1/licenses/acquire', { product: 'logged', licenseKey: 'BROKEN', fingerprint: 'machine-log1' }, false);
      // Secrets in a URL: an invitation link's token, OAuth's code and state.
      await app.inject({ method: 'GET', url: '/auth/invitations/inv-secret-token-0123456789' });
      await app.inject({ method: 'GET', url: '/auth/github/callback?code=oauth-code-secret-42&state=oauth-state-secret-43' });
      const all = lines.join('');
      // One line per answered request, saying what was asked and how it was answered.
      const answered = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request completed');
      expect(answered).toHaveLength(12);
      expect(answered.at(-3)).toMatchObject({ req: { method: 'POST', url: '/api/v1/licenses/acquire' }, res: { statusCode: 400 } });
      expect(answered.at(-1)).toMatchObject({ req: { url: '/auth/github/callback?code=[redacted]&state=[redacted]' } });
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.some((l) => JSON.parse(l).reqId?.startsWith('req_'))).toBe(true);
      for (const secret of [
        ADMIN_KEY,
        license.key,
        key.secret,
        session.sessionSecret,
        session.leaseToken,
        headerSeat.sessionSecret,
        headerSeat.leaseToken,
        'inv-secret-token',
        'oauth-code-secret',
        'oauth-state-secret',
      ]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await app.close();
      await h.close();
    }
  });
});
