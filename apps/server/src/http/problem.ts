import { ERROR_CODES, type ErrorCode, problemType } from '@leasehold/protocol/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { LeaseholdError } from '../kernel/errors.js';
import { DEPENDENCY_RETRY_AFTER_SECONDS, type Dependency, isRefusedValue, OutageLog, unavailableDependency } from './dependency-errors.js';

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Writes one problem+json answer (RFC 9457) with the request ID, the code and any extensions. */
export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  retryAfterSeconds?: number,
): FastifyReply {
  const { status, title } = ERROR_CODES[code];
  // A 503 or 429 always says when to come back, so clients back off instead of hammering.
  const retryAfter = retryAfterSeconds ?? (status === 503 || status === 429 ? DEPENDENCY_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  // Extensions come first: they add facts, they never replace the fields RFC 9457 defines.
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...extensions, type: problemType(code), title, status, detail, code, requestId: reply.request.id });
}

/** Fastify's own errors for unreadable requests, mapped onto our closed list. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** What the error handler reports to: the database error counter and the once-per-outage log. */
export interface ErrorReporting {
  onUnexpected(): void;
  outages: OutageLog;
}

/** The one place errors become HTTP answers. Unknown errors are logged and answered without internals. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply, reporting: ErrorReporting) {
  if (error instanceof LeaseholdError) {
    const dependency = error.extensions.dependency;
    if (error.code === 'SERVICE_UNAVAILABLE' && (dependency === 'redis' || dependency === 'database' || dependency === 'signer')) {
      logOutage(reporting, request, dependency, error);
    }
    return sendProblem(reply, error.code, error.message, error.extensions, error.retryAfterSeconds);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is not valid',
    }));
    const first = errors[0];
    // A mistyped license key is the commonest bad input: it gets its own code so clients can say so.
    // A missing one is not mistyped: that is VALIDATION_FAILED naming the field.
    const keyGiven = typeof (request.body as { licenseKey?: unknown } | undefined)?.licenseKey === 'string';
    const code = keyGiven && errors.every((e) => e.path === 'body.licenseKey') ? 'INVALID_LICENSE_KEY' : 'VALIDATION_FAILED';
    return sendProblem(reply, code, first ? `${first.path}: ${first.message}` : 'The request is not valid.', { errors });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return sendProblem(reply, mapped, error.message);
  if (error.statusCode === 400 && error.code === 'FST_ERR_VALIDATION') {
    return sendProblem(reply, 'VALIDATION_FAILED', error.message, { errors: [] });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return sendProblem(reply, 'MALFORMED_REQUEST', error.message);
  }
  const dependency = unavailableDependency(error);
  if (dependency) {
    if (dependency === 'database') reporting.onUnexpected();
    logOutage(reporting, request, dependency, error);
    return sendProblem(
      reply,
      'SERVICE_UNAVAILABLE',
      `The ${dependency} is unreachable for a moment. Retry shortly.`,
      { dependency },
      DEPENDENCY_RETRY_AFTER_SECONDS,
    );
  }
  if (isRefusedValue(error)) {
    request.log.warn({ err: error }, 'the database refused a value that validation let through');
    return sendProblem(reply, 'VALIDATION_FAILED', 'A value is outside what the server can store.', { errors: [] });
  }
  reporting.onUnexpected();
  request.log.error({ err: error }, 'unexpected error');
  return sendProblem(reply, 'INTERNAL_ERROR', 'Something went wrong on our side. Quote the request ID when reporting it.');
}

function logOutage(reporting: ErrorReporting, request: FastifyRequest, dependency: Dependency, error: Error): void {
  reporting.outages.failed(dependency, (previous) =>
    request.log.warn(
      { err: error, dependency, ...(previous ? { previousOutageUnloggedFailures: previous } : {}) },
      `${dependency} unreachable: answering 503 with Retry-After; further failures of this outage are counted, not logged`,
    ),
  );
}

const REPORTING = new WeakMap<object, ErrorReporting>();

/** The one error reporting of an app's services, shared by every error handler of the app. */
export function reportingFor(services: { metrics: { databaseError(): void } }): ErrorReporting {
  let reporting = REPORTING.get(services);
  if (!reporting) {
    reporting = { onUnexpected: () => services.metrics.databaseError(), outages: new OutageLog() };
    REPORTING.set(services, reporting);
  }
  return reporting;
}
