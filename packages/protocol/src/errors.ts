/**
 * The closed list of machine-readable error codes. Server and SDK share it, so a
 * client can `switch` on `code` and every code has one HTTP status and one meaning.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request body could not be parsed' },
  INVALID_LICENSE_KEY: { status: 400, title: 'The license key is not well-formed' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  TOKEN_INVALID: { status: 401, title: 'The token is invalid, expired or not accepted here' },
  FORBIDDEN: { status: 403, title: 'The credentials do not allow this' },
  LICENSE_SUSPENDED: { status: 403, title: 'The license is suspended' },
  LICENSE_REVOKED: { status: 403, title: 'The license is revoked' },
  LICENSE_EXPIRED: { status: 403, title: 'The license has expired' },
  FINGERPRINT_MISMATCH: { status: 403, title: 'The session belongs to another machine' },
  BORROW_NOT_ALLOWED: { status: 403, title: 'Borrowing is not allowed for this license' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  LICENSE_NOT_FOUND: { status: 404, title: 'No license matches' },
  SESSION_NOT_FOUND: { status: 404, title: 'No such session' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NO_SEAT_AVAILABLE: { status: 409, title: 'Every seat of the license is taken' },
  SESSION_EXPIRED: { status: 409, title: 'The session expired and no seat is free to resume it' },
  ALREADY_EXISTS: { status: 409, title: 'A resource with this identity already exists' },
  INVALID_STATE: { status: 409, title: 'The resource is not in a state that allows this' },
  LAST_OWNER: { status: 409, title: 'An organisation must keep at least one owner' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SIGN_IN_FAILED: { status: 400, title: 'Signing in with the identity provider failed' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

/** One of the closed list of error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every error code, for exhaustive checks. */
export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** Tells whether a string is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The URI that names an error code in problem+json `type`. */
export function problemType(code: ErrorCode): string {
  return `https://leasehold.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/** A problem+json body (RFC 9457) as every Leasehold endpoint returns it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  /** The fields that failed validation, when `code` is VALIDATION_FAILED. */
  errors?: { path: string; message: string }[];
  /** Extra facts for the caller, e.g. seats held and when the next one frees. */
  [extension: string]: unknown;
}
