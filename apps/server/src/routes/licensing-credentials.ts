import { licenseKeyProblem, normaliseLicenseKey } from '@leasehold/protocol/license-key';
import type { FastifyRequest } from 'fastify';
import { LeaseholdError } from '../kernel/errors.js';

/** The header a session secret travels in (the body's `sessionSecret` stays accepted). */
const SESSION_SECRET_HEADER = 'leasehold-session-secret';

const LICENSE_SCHEME = /^License[ \t]+(\S(?:.*\S)?)[ \t]*$/i;
const WORKLOAD_SCHEME = /^Workload[ \t]+(\S*)[ \t]*$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The license key of "Authorization: License <key>", normalised like the body's field,
 * or undefined when the header is absent or carries another scheme (a Bearer token).
 */
export function headerLicenseKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? LICENSE_SCHEME.exec(header) : null;
  if (!match?.[1]) return undefined;
  const key = normaliseLicenseKey(match[1]);
  const problem = licenseKeyProblem(key);
  if (problem) {
    throw new LeaseholdError('INVALID_LICENSE_KEY', `headers.authorization: ${problem}`, { errors: [{ path: 'headers.authorization', message: problem }] });
  }
  return key;
}

/**
 * The CI job's workload identity token of "Authorization: Workload <JWT>" (a GitHub Actions
 * OIDC token, say), or undefined when the header is absent or carries another scheme.
 */
export function headerWorkloadToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? WORKLOAD_SCHEME.exec(header) : null;
  if (!match) return undefined;
  const token = match[1] ?? '';
  if (token.length > 8192 || !JWT_SHAPE.test(token)) {
    const message = 'must be "Workload " followed by one compact JWT (the CI job\'s OIDC token)';
    throw new LeaseholdError('VALIDATION_FAILED', `headers.authorization: ${message}`, { errors: [{ path: 'headers.authorization', message }] });
  }
  return token;
}

/** The session secret of the Leasehold-Session-Secret header, or undefined when absent. */
function headerSessionSecret(request: FastifyRequest): string | undefined {
  const value = request.headers[SESSION_SECRET_HEADER];
  if (value === undefined) return undefined;
  const path = `headers.${SESSION_SECRET_HEADER}`;
  if (typeof value !== 'string' || value.length < 20 || value.length > 100) {
    const message = 'must be one session secret of 20 to 100 characters';
    throw new LeaseholdError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });
  }
  return value;
}

/** One credential given in the body, a header or both: both must then agree, so no proxy or client bug goes unnoticed. */
export function oneCredential(fromBody: string | undefined, fromHeader: string | undefined, field: string, header: string): string | undefined {
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    const message = `differs from headers.${header}; send the credential once`;
    throw new LeaseholdError('VALIDATION_FAILED', `body.${field} ${message}.`, { errors: [{ path: `body.${field}`, message }] });
  }
  return fromHeader ?? fromBody;
}

/** The session a heartbeat, release, borrow or return names, with its secret from the header or the body. */
export function sessionReference(request: FastifyRequest, body: { sessionId: string; sessionSecret?: string | undefined }) {
  const sessionSecret = oneCredential(body.sessionSecret, headerSessionSecret(request), 'sessionSecret', SESSION_SECRET_HEADER);
  if (sessionSecret === undefined) {
    const message = `is required (or send the ${SESSION_SECRET_HEADER} header)`;
    throw new LeaseholdError('VALIDATION_FAILED', `body.sessionSecret ${message}.`, { errors: [{ path: 'body.sessionSecret', message }] });
  }
  return { sessionId: body.sessionId, sessionSecret };
}
