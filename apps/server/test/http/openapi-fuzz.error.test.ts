import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../billing/fake-stripe.js';
import { newUser, personalOrg } from '../identity/support.js';
import { injectEventStream } from '../support/event-stream.js';
import { ADMIN_KEY, acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { snapshot } from '../support/snapshot.js';
import { type JsonSchema, junk, type KnownIds, SchemaArbitraries } from './openapi-arbitraries.js';

// Bounded so the whole file runs in about 20 s; raise it locally to search harder.
const RUNS_PER_ROUTE = Number(process.env.LEASEHOLD_FUZZ_RUNS ?? 40);

interface Operation {
  method: string;
  path: string;
  parameters?: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/** A server-sent events route never ends its answer: it is called until its headers, then left. */
const streams = (op: Operation) => Object.values(op.responses ?? {}).some((r) => r.content?.['text/event-stream']);

/**
 * Every route of the OpenAPI document, called with bodies, queries, path parameters and
 * headers generated from the document's own schemas (shaped or not, with or without
 * credentials): never a 5xx, an answer that matches its declared schema, and a 4xx
 * changes nothing (every table compared before and after).
 */
describe('every route, fuzzed from the OpenAPI document', () => {
  let h: Harness;
  const operations: Operation[] = [];
  let arbitraries: SchemaArbitraries;
  let userToken: string;
  let state: string;
  let stripe: FakeStripe;

  beforeAll(async () => {
    // Billing configured against a local Stripe stand-in: its routes are fuzzed like the others.
    stripe = await startFakeStripe({});
    h = await createHarness('postgres', {
      env: { LEASEHOLD_RATE_LIMIT_AUTH_PER_MINUTE: '100000', STRIPE_SECRET_KEY: 'sk_test_leasehold', STRIPE_API_URL: stripe.url },
    });
    const seed = await seedLicense(h, { seats: 3 });
    const seat = expectStatus(await h.licensing('acquire', acquireBody(seed, 'machine-fuzz-0001')), 200);
    // Another key than the one the fuzz calls with, so revoking "a known key" does not lock the test out.
    const otherKey = expectStatus(await h.admin('POST', '/api-keys', { name: 'fuzz', scopes: ['licenses:read'] }), 201);
    const hook = expectStatus(await h.admin('POST', '/webhook-endpoints', { url: 'https://hooks.example.test/fuzz', eventTypes: ['license.created'] }), 201);
    const user = await newUser(h, 'Fuzz');
    userToken = user.accessToken;
    const known: KnownIds = {
      lic: [seed.licenseId],
      org: [seed.organisationId, await personalOrg(h, user)],
      prd: [seed.productId],
      pln: [seed.planId],
      ses: [seat.sessionId],
      key: [otherKey.id],
      usr: [user.userId],
      whe: [hook.id],
    };
    const doc = expectStatus(await h.app.inject({ method: 'GET', url: '/openapi.json' }), 200);
    arbitraries = new SchemaArbitraries(doc.components?.schemas ?? {}, known);
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, operation] of Object.entries(methods)) operations.push({ ...operation, method: method.toUpperCase(), path });
    }
    state = await snapshot(h, { identity: true });
  });
  afterAll(async () => {
    await h?.close();
    await stripe?.close();
  });

  const credentials = () =>
    fc.constantFrom<Record<string, string>>(
      { authorization: `Bearer ${ADMIN_KEY}` },
      { authorization: `Bearer ${userToken}` },
      {},
      { authorization: 'Bearer lh_not-a-key' },
      { authorization: `Bearer ${'x'.repeat(2_000)}` },
      { authorization: 'Basic Zm9vOmJhcg==' },
    );

  const requestFor = (op: Operation): fc.Arbitrary<InjectOptions> => {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    const pathValues = fc.tuple(...pathParams.map((p) => arbitraries.text(p.schema)));
    const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbitraries.text(p.schema)])), { requiredKeys: [] });
    const body = bodySchema ? fc.option(arbitraries.value(bodySchema), { nil: undefined, freq: 8 }) : fc.option(junk, { nil: undefined, freq: 2 });
    const encoding = fc.constantFrom('json', 'json', 'json', 'form', 'raw', 'none');
    return fc
      .record({ pathValues, query, body, encoding, auth: credentials(), requestId: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }) })
      .map(({ pathValues, query, body, encoding, auth, requestId }) => {
        let url = op.path;
        pathParams.forEach((p, i) => {
          url = url.replace(`{${p.name}}`, encodeURIComponent((pathValues[i] ?? '').toWellFormed()));
        });
        const search = new URLSearchParams(query as Record<string, string>).toString();
        const headers: Record<string, string> = { ...auth, ...(requestId === undefined ? {} : { 'x-request-id': requestId }) };
        const options: InjectOptions = { method: op.method as InjectOptions['method'], url: search ? `${url}?${search}` : url, headers };
        if (body === undefined || encoding === 'none') return options;
        if (encoding === 'form') {
          const fields = body && typeof body === 'object' ? Object.entries(body) : [['value', body]];
          headers['content-type'] = 'application/x-www-form-urlencoded';
          options.payload = new URLSearchParams(fields.map(([k, v]) => [String(k), typeof v === 'string' ? v : JSON.stringify(v)])).toString();
        } else if (encoding === 'raw') {
          headers['content-type'] = 'application/json';
          options.payload = `${JSON.stringify(body) ?? ''}`.slice(0, -1);
        } else {
          headers['content-type'] = 'application/json';
          options.payload = JSON.stringify(body) ?? 'null';
        }
        return options;
      });
  };

  it('covers the routes of the document', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it(
    'calls every route with generated input: no 5xx, schema-true answers, and nothing changes on a 4xx',
    async () => {
      for (const op of operations) {
        await fc.assert(
          fc.asyncProperty(requestFor(op), async (request) => {
            const answer = streams(op) ? await injectEventStream(h.app, request, 0) : await h.app.inject(request);
            const shown = `${request.method} ${request.url} ${String(request.payload ?? '').slice(0, 300)} → ${answer.statusCode} ${answer.body.slice(0, 300)}`;
            expect(answer.statusCode, shown).toBeLessThan(500);
            expect(h.responseViolations, shown).toEqual([]);
            const type = String(answer.headers['content-type'] ?? '');
            if (streams(op) && answer.statusCode === 200) expect(type, shown).toMatch(/^text\/event-stream/);
            const now = await snapshot(h, { identity: true });
            if (answer.statusCode >= 400) expect(now, `a ${answer.statusCode} changed data: ${shown}`).toBe(state);
            state = now;
          }),
          { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
        );
      }
    },
    60_000 + RUNS_PER_ROUTE * 3_000,
  );
});
