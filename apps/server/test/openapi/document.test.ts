import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ALL_ERROR_CODES } from '@leasehold/protocol/errors';
import { WEBHOOK_EVENT_TYPES } from '@leasehold/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { documentedHarness, documentValidator, fetchDocument, type Json, operationsOf, responseOf, segment } from './support.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the OpenAPI document', { timeout: 60_000 }, () => {
  let h: Harness;
  let doc: Json;
  beforeAll(async () => {
    h = await documentedHarness();
    doc = await fetchDocument(h);
  });
  afterAll(() => h.close());

  it('passes `redocly lint` with the recommended rules: no error, no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const cli = join(root, 'node_modules/@redocly/cli/bin/cli.js');
      const { stdout } = await run(process.execPath, [cli, 'lint', file, '--extends=recommended', '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error) => error as { stdout: string });
      const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
      const problems = report.problems.map((p: Json) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('names, tags, summarises and describes every operation', () => {
    const ids = new Set<string>();
    for (const { key, operation } of operationsOf(doc)) {
      expect(operation.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(operation.operationId), `${key}: duplicate operationId`).toBe(false);
      ids.add(operation.operationId);
      expect(operation.tags?.length, key).toBeGreaterThan(0);
      expect(operation.summary, key).toBeTruthy();
      expect(operation.description?.length, key).toBeGreaterThanOrEqual(15);
      for (const parameter of operation.parameters ?? []) expect(parameter.description, `${key} ${parameter.name}`).toBeTruthy();
    }
    expect(ids.size).toBeGreaterThanOrEqual(63);
  });

  it('has every route, the operations ones, the webhook and the sign-in redirect', () => {
    const keys = operationsOf(doc).map((o) => o.key);
    for (const key of ['GET /.well-known/jwks.json', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /webhooks/stripe', 'GET /auth/github/start']) {
      expect(keys).toContain(key);
    }
    expect(Object.keys(doc.paths['/auth/github/start'].get.responses)).toEqual(['302', '400', '429', '503', 'default']);
    expect(Object.keys(doc.paths['/auth/token'].post.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(doc.paths['/webhooks/stripe'].post.parameters).toEqual([expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })]);
    // Only the documentation itself is left out: a hidden route would be an undocumented one.
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const hiding = sources(join(root, 'apps/server/src')).filter((f) => /hide: true/.test(readFileSync(f, 'utf8')));
    expect(hiding.map((f) => f.slice(root.length))).toEqual(['apps/server/src/app.ts']);
  });

  it('describes every property of every schema, and names the components', () => {
    const missing: string[] = [];
    const walk = (schema: Json, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
        if (!property.description && !(property.$ref && doc.components.schemas[property.$ref.split('/').pop()]?.description)) missing.push(`${where}.${name}`);
        walk(property, `${where}.${name}`);
      }
      for (const key of ['items', 'additionalProperties']) walk(schema[key], `${where}[]`);
      for (const key of ['allOf', 'anyOf', 'oneOf']) for (const [i, s] of (schema[key] ?? []).entries()) walk(s, `${where}/${key}${i}`);
    };
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      expect(schema.description, name).toBeTruthy();
      walk(schema, name);
    }
    for (const { key, path, method, operation } of operationsOf(doc)) {
      for (const status of Object.keys(operation.responses)) {
        const { response } = responseOf(doc, path, method, status) as { response: Json };
        for (const media of Object.values<Json>(response.content ?? {})) walk(media.schema, `${key} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    for (const name of ['AcquireRequest', 'AcquireResponse', 'License', 'CreatedLicense', 'Plan', 'Problem', 'NoSeatAvailableProblem', 'ValidationProblem']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
  });

  it('gives examples that hold to their own schemas: a real license key, ISO timestamps, prefixed IDs', () => {
    const validate = documentValidator(doc);
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      for (const example of schema.examples ?? []) {
        const check = validate(`/components/schemas/${segment(name)}`);
        expect(check(example), `${name}: ${JSON.stringify(check.errors)}`).toBe(true);
      }
    }
    for (const [code, example] of Object.entries<Json>(doc.components.examples)) {
      expect(ALL_ERROR_CODES).toContain(code);
      const check = validate('/components/schemas/Problem');
      expect(check(example.value), `${code}: ${JSON.stringify(check.errors)}`).toBe(true);
    }
    const acquire = doc.components.schemas.AcquireRequest.examples[0];
    expect(acquire.licenseKey).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
    const answer = doc.components.schemas.AcquireResponse.examples[0];
    expect(answer.sessionId).toMatch(/^ses_[0-9a-z]{26}$/);
    expect(new Date(answer.expiresAt).toISOString()).toBe(answer.expiresAt);
  });

  it('answers errors as problem+json with the closed list of codes, and documents the retry headers', () => {
    expect(doc.components.schemas.ErrorCode.enum).toEqual(ALL_ERROR_CODES);
    const answer = (status: string) => responseOf(doc, '/api/v1/licenses/acquire', 'post', status)?.response;
    const acquire = Object.fromEntries(['200', '409', '429'].map((s) => [s, answer(s)]));
    expect(acquire['409'].content['application/problem+json'].schema.anyOf).toEqual(
      expect.arrayContaining([{ $ref: '#/components/schemas/NoSeatAvailableProblem' }]),
    );
    expect(acquire['409'].headers['Retry-After']).toBeDefined();
    expect(acquire['429'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfterRequired' });
    expect(acquire['200'].headers['RateLimit-Remaining']).toBeDefined();
    expect(Object.keys(doc.components.schemas.NoSeatAvailableProblem.properties)).toEqual(
      expect.arrayContaining(['holders', 'nextFreeAt', 'seatsUsed', 'seatsTotal']),
    );
    expect(doc.components.schemas.ValidationProblem.properties.errors).toBeDefined();
    // Per route, not one blanket list: a heartbeat cannot run out of seats, a product list cannot be suspended.
    const codes = (path: string, method: string) =>
      Object.keys(doc.paths[path][method].responses)
        .map((s) => JSON.stringify(responseOf(doc, path, method, s)?.response))
        .join();
    expect(codes('/api/v1/licenses/acquire', 'post')).toContain('#/components/examples/NO_SEAT_AVAILABLE');
    expect(codes('/api/v1/licenses/heartbeat', 'post')).not.toContain('NO_SEAT_AVAILABLE');
    expect(codes('/api/v1/admin/products', 'get')).not.toContain('LICENSE_SUSPENDED');
    for (const { key, path, method, operation } of operationsOf(doc)) {
      for (const status of Object.keys(operation.responses)) {
        if (status !== 'default' && Number(status) < 400) continue;
        const { response } = responseOf(doc, path, method, status) as { response: Json };
        const types = Object.keys(response.content ?? {});
        expect(types.length, `${key} ${status}`).toBeGreaterThan(0);
        if (!key.startsWith('POST /auth/') && !(key.includes('/auth/') && status === '400'))
          expect(types, `${key} ${status}`).toContain('application/problem+json');
      }
    }
  });

  it('is browsable at /docs in Leasehold colours, with the examples shown as samples', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Leasehold API</title>');
    expect(page.body).toContain('./static/theme/leasehold.css');
    expect(page.body).toContain('leasehold.svg');
    expect((await h.app.inject({ method: 'GET', url: '/docs/static/theme/leasehold.css' })).body).toContain('#14213d');
    const init = (await h.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })).body;
    expect(init).toContain('"defaultModelRendering":"example"');
    // The UI reads the same document as /openapi.json.
    expect((await h.app.inject({ method: 'GET', url: '/docs/json' })).json().paths).toEqual(doc.paths);
  });

  it('declares a security scheme for each way in with a header or cookie, and applies them per operation', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'apiKey',
      'browserCookie',
      'licenseKey',
      'sessionSecret',
      'userToken',
      'webhookSignature',
      'workloadToken',
    ]);
    expect(doc.components.securitySchemes.licenseKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(doc.components.securitySchemes.sessionSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'Leasehold-Session-Secret' });
    expect(doc.paths['/api/v1/admin/licenses'].post.security).toEqual([{ apiKey: ['licenses:write'] }]);
    expect(doc.paths['/api/v1/orgs/{orgId}/members'].get.security).toEqual([{ userToken: [] }, { browserCookie: [] }]);
    expect(doc.paths['/api/v1/licenses/acquire'].post.security).toEqual([{ licenseKey: [] }, { userToken: [] }, { workloadToken: [] }]);
    for (const path of ['heartbeat', 'release', 'borrow', 'return']) {
      expect(doc.paths[`/api/v1/licenses/${path}`].post.security, path).toEqual([{ sessionSecret: [] }]);
    }
    expect(doc.paths['/api/v1/licenses/validate'].post.security).toEqual([{ licenseKey: [] }, {}]);
    for (const { key, operation } of operationsOf(doc)) expect(operation.security, key).toBeDefined();
    // The body forms older clients send are marked so, not left for a generator to echo or prefer.
    expect(doc.components.schemas.SessionCredentials.properties.sessionSecret).toMatchObject({ writeOnly: true, format: 'password', deprecated: true });
    expect(doc.components.schemas.SessionCredentials.required).toEqual(['sessionId']);
    expect(doc.components.schemas.AcquireRequest.properties.licenseKey).toMatchObject({ deprecated: true });
  });

  it('documents every webhook event type with the signature headers and an example body that holds to its schema', () => {
    const validate = documentValidator(doc)('/components/schemas/WebhookEvent');
    expect(Object.keys(doc.webhooks)).toEqual([...WEBHOOK_EVENT_TYPES]);
    for (const [type, item] of Object.entries<Json>(doc.webhooks)) {
      const { post } = item;
      expect(post.security, type).toEqual([{ webhookSignature: [] }]);
      expect(post.parameters.map((p: Json) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const examples = Object.values<Json>(post.requestBody.content['application/json'].examples);
      expect(examples, type).toHaveLength(1);
      expect(examples[0].value.type).toBe(type);
      expect(validate(examples[0].value), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The check bites: a body of an unknown type does not hold.
    expect(validate({ type: 'license.exploded', timestamp: '2030-01-01T00:00:00Z', data: {} })).toBe(false);
  });
});
