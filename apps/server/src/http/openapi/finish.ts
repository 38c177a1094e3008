import type { ErrorCode } from '@leasehold/protocol/errors';
import { shareProblemResponses, tidyComponents } from './components.js';
import { METHODS, type OpenApiFragment, type OperationDoc } from './operation-doc.js';
import { OPERATIONS } from './operations.js';
import { problemExamples, problemResponses } from './problems.js';
import { WEBHOOK_EVENT_SCHEMA, webhookDocs } from './webhook-events.js';

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * Completes the document fastify-swagger built from the routes' zod schemas: names,
 * descriptions, security and the problem answers of each operation from OPERATIONS,
 * the sign-in paths of the configured providers, and one component per schema.
 */
export function finishDocument(doc: OpenApiFragment, providers: string[]): OpenApiFragment {
  doc.paths = nameWildcards(expandProviders(doc.paths ?? {}, providers));
  for (const [path, item] of Object.entries<OpenApiFragment>(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const template = operation['x-path-template'] ?? path;
      delete operation['x-path-template'];
      const entry = OPERATIONS[`${method.toUpperCase()} ${template}`];
      if (entry) item[method] = finishOperation(operation, entry, doc, template);
    }
  }
  // What Leasehold sends: one entry per event type, each with an example body.
  doc.webhooks = webhookDocs();
  doc.components.schemas.WebhookEvent = WEBHOOK_EVENT_SCHEMA;
  const used = JSON.stringify(doc.paths);
  doc.components.examples = Object.fromEntries(Object.entries(problemExamples()).filter(([code]) => used.includes(`"#/components/examples/${code}"`)));
  shareProblemResponses(doc);
  tidyComponents(doc);
  return doc;
}

function finishOperation(operation: OpenApiFragment, entry: OperationDoc, doc: OpenApiFragment, template: string): OpenApiFragment {
  const { 'x-provider': provider, ...rest } = operation as { 'x-provider'?: string };
  // One sign-in operation per provider: startSignInWithGithub, finishSignInWithGoogle…
  const suffix = provider ? `With${provider[0]?.toUpperCase()}${provider.slice(1)}` : '';
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
  // OAuth clients and HTML forms post form fields: everything under /auth reads them as well as JSON.
  const json = out.requestBody?.content?.['application/json'];
  if (template.startsWith('/auth/') && json) out.requestBody.content['application/x-www-form-urlencoded'] = json;

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

/** A trailing wildcard (`/dashboard/*`, `{*}` in the document) is a parameter named `path`: `*` is no name. */
function nameWildcards(paths: Record<string, OpenApiFragment>): Record<string, OpenApiFragment> {
  const out: Record<string, OpenApiFragment> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.endsWith('{*}')) {
      out[path] = item;
      continue;
    }
    for (const operation of Object.values<OpenApiFragment>(item)) {
      operation.parameters = (operation.parameters ?? []).map((p: OpenApiFragment) =>
        p.in === 'path' && p.name === '*' ? { ...p, name: 'path', description: 'The rest of the path, after the prefix.', schema: { type: 'string' } } : p,
      );
    }
    out[path.replace(/\{\*\}$/, '{path}')] = item;
  }
  return out;
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
