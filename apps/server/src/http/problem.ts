import { ERROR_CODES, type ErrorCode, problemType } from '@leasehold/protocol/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { LeaseholdError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Writes one problem+json answer (RFC 9457) with the request ID, the code and any extensions. */
export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  retryAfterSeconds?: number,
): FastifyReply {
  const { status, title } = ERROR_CODES[code];
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ type: problemType(code), title, status, detail, code, requestId: reply.request.id, ...extensions });
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

/** The one place errors become HTTP answers. Unknown errors are logged and answered without internals. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply, onUnexpected: () => void) {
  if (error instanceof LeaseholdError) {
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
    const code = errors.every((e) => e.path === 'body.licenseKey') ? 'INVALID_LICENSE_KEY' : 'VALIDATION_FAILED';
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
  if (isPoolExhausted(error)) {
    request.log.warn({ err: error }, 'database connection pool exhausted');
    return sendProblem(reply, 'SERVICE_UNAVAILABLE', 'The server is overloaded. Retry shortly.', {}, 2);
  }
  onUnexpected();
  request.log.error({ err: error }, 'unexpected error');
  return sendProblem(reply, 'INTERNAL_ERROR', 'Something went wrong on our side. Quote the request ID when reporting it.');
}

/** pg-pool's error when no connection frees up in time: overload, answered as 503, not a fault. */
function isPoolExhausted(error: Error): boolean {
  return error.message === 'timeout exceeded when trying to connect';
}
