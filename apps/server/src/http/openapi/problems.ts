import { schemas } from '@leasehold/protocol';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode, problemType } from '@leasehold/protocol/errors';
import { globalRegistry } from 'zod';
import type { OpenApiFragment } from './operation-doc.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The component that documents each code's problem: its own where it carries facts, else Problem. */
function componentOf(code: ErrorCode): string {
  const schema = (schemas.PROBLEM_SCHEMAS as Record<string, unknown>)[code];
  const id = schema ? globalRegistry.get(schema as never)?.id : undefined;
  return typeof id === 'string' ? id : 'Problem';
}

/** The codes each problem component stands for. */
function codesOf(component: string): ErrorCode[] {
  return component === 'Problem' ? ALL_ERROR_CODES : ALL_ERROR_CODES.filter((c) => componentOf(c) === component);
}

const DETAILS: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'body.fingerprint: Too small: expected string to have >=8 characters',
  MALFORMED_REQUEST: "Body is not valid JSON but content-type is set to 'application/json'",
  INVALID_LICENSE_KEY: 'body.licenseKey: the license key has a typing mistake (its check character does not match)',
  UNAUTHENTICATED: 'Send an API key as "Authorization: Bearer <key>".',
  TOKEN_INVALID: 'The access token has expired.',
  FORBIDDEN: 'This API key lacks the scope licenses:write.',
  LICENSE_SUSPENDED: 'The license is suspended. Ask its owner or the vendor to reinstate it.',
  LICENSE_REVOKED: 'The license was revoked and can no longer be used.',
  LICENSE_EXPIRED: 'The license has expired. Renew it to keep using the product.',
  BORROW_NOT_ALLOWED: "This license's plan does not allow borrowing.",
  NOT_FOUND: 'No license with ID lic_01jf3k9z8y7x6w5v4t3s2r1q0p.',
  LICENSE_NOT_FOUND: 'No license of this product matches the key. Check the key and the product code.',
  SESSION_NOT_FOUND: 'No live session matches this ID and secret. It may have been released; acquire a seat again.',
  NO_SEAT_AVAILABLE: 'All 5 seats of this license are in use. The next one frees at 2030-01-05T08:22:00.000Z unless released sooner.',
  SESSION_EXPIRED: 'The session expired and all seats are in use now. The next one frees at 2030-01-05T08:22:00.000Z. Acquire again later.',
  ALREADY_EXISTS: 'A product with code "coditect" already exists.',
  INVALID_STATE: 'Cannot suspend a license that is revoked.',
  LAST_OWNER: 'The last owner cannot step down. Make someone else an owner first.',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported Media Type: text/csv',
  RATE_LIMITED: 'Too many requests for this license: at most 600 a minute. Retry in 12 s.',
  SIGN_IN_FAILED: 'This sign-in was not started in this browser, or it is incomplete. Start again.',
  INTERNAL_ERROR: 'Something went wrong on our side. Quote the request ID when reporting it.',
  SERVICE_UNAVAILABLE: 'The server is overloaded. Retry shortly.',
};

/** A realistic body of a code's problem, as the server writes it. */
function exampleProblem(code: ErrorCode): Record<string, unknown> {
  const { status, title } = ERROR_CODES[code];
  return {
    type: problemType(code),
    title,
    status,
    detail: DETAILS[code] ?? `${title}.`,
    code,
    requestId: schemas.EXAMPLE_IDS.request,
    ...(schemas.EXAMPLE_PROBLEM_FACTS[code] ?? {}),
  };
}

/** The schema of one answer status: the problem components of its codes, narrowed to those codes. */
function problemSchema(codes: ErrorCode[]): OpenApiFragment {
  const byComponent = new Map<string, ErrorCode[]>();
  for (const code of codes) byComponent.set(componentOf(code), [...(byComponent.get(componentOf(code)) ?? []), code]);
  const variants = [...byComponent].map(([component, own]) =>
    own.length === codesOf(component).length
      ? ref(component)
      : { allOf: [ref(component), { type: 'object', properties: { code: { description: 'The codes this operation answers at this status.', enum: own } } }] },
  );
  return variants.length === 1 ? (variants[0] as OpenApiFragment) : { anyOf: variants };
}

/** The problem+json answers of an operation, one per status, with an example of each code. */
export function problemResponses(codes: ErrorCode[], headersFor: (status: number) => OpenApiFragment): Record<string, OpenApiFragment> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, OpenApiFragment> = {};
  for (const [status, own] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: own.map((c) => `\`${c}\`: ${ERROR_CODES[c].title}.`).join(' '),
      headers: headersFor(status),
      content: {
        'application/problem+json': {
          schema: problemSchema(own),
          examples: Object.fromEntries(own.map((c) => [c, { $ref: `#/components/examples/${c}` }])),
        },
      },
    };
  }
  return responses;
}

/** One example answer per code, referenced from the operations that can answer it. */
export function problemExamples(): Record<string, OpenApiFragment> {
  return Object.fromEntries(ALL_ERROR_CODES.map((c) => [c, { summary: ERROR_CODES[c].title, value: exampleProblem(c) }]));
}
