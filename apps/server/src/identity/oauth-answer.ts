import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { LeaseholdError } from '../kernel/errors.js';
import { OAuthError } from './oauth-error.js';

/** The routes that speak OAuth (RFC 6749 §5.2): their 400 and 401 answers are OAuth errors, never problem+json. */
export const OAUTH_ROUTES = new Set(['/auth/device/code', '/auth/token', '/auth/logout']);

/**
 * An OAuth route's unreadable or invalid request as RFC 6749 wants it: `invalid_request`
 * naming the field, or `invalid_grant` for a credential the server does not accept.
 * Anything else (rate limits, a dependency down) stays problem+json: null.
 */
export function asOAuthError(error: FastifyError): OAuthError | null {
  if (error instanceof OAuthError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const field = first?.instancePath.split('/').filter(Boolean).join('.') || 'body';
    return new OAuthError('invalid_request', `${field}: ${first?.message ?? 'is not valid'}`);
  }
  if (error instanceof LeaseholdError) {
    if (error.code === 'TOKEN_INVALID' || error.code === 'UNAUTHENTICATED') return new OAuthError('invalid_grant', error.message);
    if (error.code === 'SIGN_IN_FAILED' || error.code === 'NOT_FOUND') return new OAuthError('invalid_grant', error.message);
    if (error.code === 'VALIDATION_FAILED' || error.code === 'MALFORMED_REQUEST') return new OAuthError('invalid_request', error.message);
    return null;
  }
  // Fastify's own refusals of the body (not JSON, empty, wrong length, too large, wrong media type).
  if (error.statusCode === 400 || error.statusCode === 415) return new OAuthError('invalid_request', error.message);
  return null;
}
