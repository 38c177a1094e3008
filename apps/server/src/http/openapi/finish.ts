import type { ErrorCode } from '@leasehold/protocol/errors';
import { OPERATIONS, type OpenApiFragment, type OperationDoc } from './operations.js';
import { problemExamples, problemResponses } from './problems.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * Completes the document fastify-swagger built from the routes' zod schemas: names,
 * descriptions, security and the problem answers of each operation from OPERATIONS,
 * the sign-in paths of the configured providers, and one component per schema.
 */
export function finishDocument(doc: OpenApiFragment, providers: string[]): OpenApiFragment {
  doc.paths = expandProviders(doc.paths ?? {}, providers);
  for (const [path, item] of Object.entries<OpenApiFragment>(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const template = operation['x-path-template'] ?? path;
      delete operation['x-path-template'];
      const entry = OPERATIONS[`${method.toUpperCase()} ${template}`];
      if (entry) item[method] = finishOperation(operation, entry, doc);
    }
  }
  const used = JSON.stringify(doc.paths);
  doc.components.examples = Object.fromEntries(Object.entries(problemExamples()).filter(([code]) => used.includes(`"#/components/examples/${code}"`)));
  shareProblemResponses(doc);
  tidyComponents(doc);
  return doc;
}

/**
 * The same problem answer (same codes, same headers) recurs across operations: each
 * becomes one named response under `components/responses`, named after its codes.
 */
function shareProblemResponses(doc: OpenApiFragment): void {
  const uses = new Map<string, number>();
  const each = (visit: (operation: OpenApiFragment, status: string, response: OpenApiFragment) => void) => {
    for (const item of Object.values<OpenApiFragment>(doc.paths))
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        for (const [status, response] of Object.entries<OpenApiFragment>(operation.responses)) {
          if (status === 'default' || Number(status) >= 400) visit(operation, status, response);
        }
      }
  };
  each((_o, _s, response) => {
    const text = JSON.stringify(response);
    uses.set(text, (uses.get(text) ?? 0) + 1);
  });
  const names = new Map<string, string>();
  const shared: Record<string, OpenApiFragment> = {};
  const pascal = (code: string) => code.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  each((operation, status, response) => {
    const text = JSON.stringify(response);
    const codes = [...text.matchAll(/#\/components\/examples\/([A-Z_]+)/g)].map((m) => m[1] as string);
    if ((uses.get(text) ?? 0) < 2 || codes.length === 0) return;
    let name = names.get(text);
    if (!name) {
      const base = codes.map(pascal).join('Or');
      name = base;
      for (let n = 2; shared[name]; n++) name = `${base}${n}`;
      names.set(text, name);
      shared[name] = response;
    }
    operation.responses[status] = { $ref: `#/components/responses/${name}` };
  });
  doc.components.responses = Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b)));
}

function finishOperation(operation: OpenApiFragment, entry: OperationDoc, doc: OpenApiFragment): OpenApiFragment {
  const { provider, ...rest } = operation['x-provider'] ? operation : { ...operation, provider: undefined };
  const suffix = provider ? `With${provider[0].toUpperCase()}${provider.slice(1)}` : '';
  delete rest['x-provider'];
  const out: OpenApiFragment = { ...rest, operationId: entry.operationId + suffix, description: entry.description };
  if (entry.security) out.security = entry.security;
  else if (JSON.stringify(out.security) === JSON.stringify([{ userToken: [] }])) out.security = [{ userToken: [] }, { browserCookie: [] }];
  if (entry.parameters) out.parameters = [...(out.parameters ?? []), ...entry.parameters];
  for (const parameter of out.parameters ?? []) {
    // A parameter whose schema is a named component (an enum) is described by it.
    const target = parameter.schema?.$ref as string | undefined;
    if (!parameter.description && target) parameter.description = doc.components?.schemas?.[target.split('/').pop() ?? '']?.description;
  }
  if (entry.requestBody) out.requestBody = entry.requestBody;

  const responses: Record<string, OpenApiFragment> = {};
  const generated = (out.responses ?? {}) as Record<string, OpenApiFragment>;
  const successes = entry.responses ?? generated;
  for (const [status, response] of Object.entries(successes)) {
    if (Number(status) >= 400) continue;
    responses[status] = successResponse(response, entry, doc);
  }
  const errors: ErrorCode[] = [...entry.errors, 'INTERNAL_ERROR'];
  for (const [status, response] of Object.entries(problemResponses(errors, (s) => problemHeaders(s, entry, out.security ?? [])))) responses[status] = response;
  for (const [status, response] of Object.entries(entry.responses ?? {})) {
    if (Number(status) < 400) continue;
    responses[status] = mergeContent(responses[status], { ...response, headers: { 'X-Request-Id': header('XRequestId') } });
  }
  for (const status of entry.oauthErrors ?? []) {
    responses[status] = mergeContent(responses[status], {
      description: 'An OAuth error (RFC 6749 §5.2).',
      headers: { 'X-Request-Id': header('XRequestId') },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } },
    });
  }
  // The one unplanned answer, 500 INTERNAL_ERROR, stands as `default`: what any other status would be.
  const { 500: internal, ...planned } = responses;
  out.responses = { ...Object.fromEntries(Object.entries(planned).sort(([a], [b]) => Number(a) - Number(b))), default: internal };
  return out;
}

function successResponse(response: OpenApiFragment, entry: OperationDoc, doc: OpenApiFragment): OpenApiFragment {
  const out = { ...response };
  if (!out.description || out.description === 'Default Response') {
    const target = out.content?.['application/json']?.schema?.$ref as string | undefined;
    const component = target
      ? doc.components?.schemas?.[
          target
            .split('/')
            .pop()
            ?.replace(/Input$/, '') ?? ''
        ]
      : undefined;
    out.description = (component?.description as string | undefined) ?? 'OK';
  }
  out.headers = {
    ...(out.headers ?? {}),
    'X-Request-Id': header('XRequestId'),
    ...(entry.rateLimited ? { 'RateLimit-Remaining': header('RateLimitRemaining') } : {}),
  };
  return out;
}

function problemHeaders(status: number, entry: OperationDoc, security: Record<string, string[]>[]): OpenApiFragment {
  const headers: OpenApiFragment = { 'X-Request-Id': header('XRequestId') };
  if (status === 429) headers['Retry-After'] = header('RetryAfterRequired');
  if (status === 503 || (status === 409 && entry.errors.includes('NO_SEAT_AVAILABLE'))) headers['Retry-After'] = header('RetryAfter');
  // The API key and user token checks name the scheme they expect; a body credential has none to name.
  const bearerOnly = security.length > 0 && security.every((r) => 'apiKey' in r || 'userToken' in r || 'browserCookie' in r);
  if (status === 401 && bearerOnly) headers['WWW-Authenticate'] = header('WwwAuthenticate');
  return headers;
}

/** Two answers at one status (a problem and a page, say): one response with both media types. */
function mergeContent(a: OpenApiFragment | undefined, b: OpenApiFragment): OpenApiFragment {
  if (!a) return b;
  return { ...a, description: `${a.description} Or: ${b.description}`, content: { ...(a.content ?? {}), ...(b.content ?? {}) } };
}

/**
 * `/auth/{provider}/…` becomes one path per configured provider: a provider name is
 * the only thing that can stand there, and concrete paths do not collide with
 * `/auth/invitations/{token}`.
 */
function expandProviders(paths: Record<string, OpenApiFragment>, providers: string[]): Record<string, OpenApiFragment> {
  const out: Record<string, OpenApiFragment> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.includes('{provider}')) {
      out[path] = item;
      continue;
    }
    for (const provider of providers) {
      const copy: OpenApiFragment = {};
      for (const [method, operation] of Object.entries<OpenApiFragment>(item)) {
        copy[method] = {
          ...structuredClone(operation),
          'x-path-template': path,
          'x-provider': provider,
          summary: `${operation.summary} (${provider})`,
          parameters: (operation.parameters ?? []).filter((p: OpenApiFragment) => !(p.in === 'path' && p.name === 'provider')),
        };
        if (copy[method].parameters.length === 0) delete copy[method].parameters;
      }
      out[path.replace('{provider}', provider)] = copy;
    }
  }
  return out;
}

/**
 * The zod type provider emits every registered schema twice (`X` for answers,
 * `XInput` for requests). Keeps the ones the paths use, under one name where both
 * forms are the same.
 */
function tidyComponents(doc: OpenApiFragment): void {
  const rename = (from: string, to: string) => {
    const text = JSON.stringify(doc).replaceAll(`"#/components/schemas/${from}"`, `"#/components/schemas/${to}"`);
    Object.assign(doc, JSON.parse(text));
  };
  prune(doc);
  for (const name of Object.keys(doc.components.schemas).filter((n) => n.endsWith('Input'))) {
    const base = name.slice(0, -'Input'.length);
    const all = doc.components.schemas as Record<string, OpenApiFragment>;
    const normalise = (s: OpenApiFragment) => JSON.stringify(s).replace(/(#\/components\/schemas\/\w+?)Input"/g, '$1"');
    if (!all[base] || normalise(all[base]) === normalise(all[name] as OpenApiFragment)) {
      rename(name, base);
      const now = doc.components.schemas as Record<string, OpenApiFragment>;
      now[base] = now[base] ?? (now[name] as OpenApiFragment);
      delete now[name];
    }
  }
  prune(doc);
  doc.components.schemas = Object.fromEntries(Object.entries(doc.components.schemas).sort(([a], [b]) => a.localeCompare(b)));
}

/** Removes components no path reaches. */
function prune(doc: OpenApiFragment): void {
  const all = doc.components.schemas as Record<string, OpenApiFragment>;
  const reached = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
          const name = child.slice('#/components/schemas/'.length);
          if (!reached.has(name)) {
            reached.add(name);
            visit(all[name]);
          }
        } else visit(child);
      }
    }
  };
  const { schemas: _schemas, ...rest } = doc.components;
  visit(doc.paths);
  visit(rest);
  visit(doc.webhooks);
  for (const name of Object.keys(all)) if (!reached.has(name)) delete all[name];
}
