import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is free-form JSON here.
export type Json = any;

export const DOC_ID = 'https://leasehold.test/openapi.json';

/** A server with a sign-in provider configured, so the document has every path. */
export function documentedHarness(options: HarnessOptions = {}): Promise<Harness> {
  return createHarness('pglite', {
    ...options,
    env: { LEASEHOLD_GITHUB_CLIENT_ID: 'gh-client', LEASEHOLD_GITHUB_CLIENT_SECRET: 'gh-secret', ...options.env },
  });
}

export async function fetchDocument(h: Harness): Promise<Json> {
  const answer = await h.app.inject({ method: 'GET', url: '/openapi.json' });
  if (answer.statusCode !== 200) throw new Error(`GET /openapi.json answered ${answer.statusCode}`);
  return answer.json();
}

/** JSON Schema 2020-12 validation of values against schemas inside the document. */
export function documentValidator(doc: Json): (pointer: string) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addFormat('password', true);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const cache = new Map<string, ValidateFunction>();
  return (pointer) => {
    let validate = cache.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      cache.set(pointer, validate);
    }
    return validate;
  };
}

/** An RFC 6901 pointer segment. */
export const segment = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every operation of the document, as `METHOD /path`. */
export function operationsOf(doc: Json): { key: string; path: string; method: string; operation: Json }[] {
  const out = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      if (item[method]) out.push({ key: `${method.toUpperCase()} ${path}`, path, method, operation: item[method] });
    }
  }
  return out;
}

/** A response of an operation, following a `$ref` into `components/responses`, with the pointer of where it is. */
export function responseOf(doc: Json, path: string, method: string, status: string): { response: Json; pointer: string } | null {
  const response = doc.paths[path]?.[method]?.responses?.[status];
  if (!response) return null;
  if (response.$ref) {
    const name = (response.$ref as string).split('/').pop() as string;
    return { response: doc.components.responses[name], pointer: `/components/responses/${segment(name)}` };
  }
  return { response, pointer: `/paths/${segment(path)}/${method}/responses/${status}` };
}
