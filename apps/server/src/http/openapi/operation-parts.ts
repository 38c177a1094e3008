import type { ErrorCode } from '@leasehold/protocol/errors';
import type { OpenApiFragment } from './operation-doc.js';

// The problem codes groups of routes share, so each operation lists what it really answers.
export const BODY: ErrorCode[] = ['VALIDATION_FAILED', 'MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
export const DB: ErrorCode[] = ['SERVICE_UNAVAILABLE'];
export const ADMIN: ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', ...DB];
export const ADMIN_READ: ErrorCode[] = ['VALIDATION_FAILED', ...ADMIN];
export const ADMIN_ONE: ErrorCode[] = ['VALIDATION_FAILED', 'NOT_FOUND', ...ADMIN];
export const ADMIN_WRITE: ErrorCode[] = [...BODY, ...ADMIN];
export const ADMIN_CHANGE: ErrorCode[] = [...BODY, 'NOT_FOUND', ...ADMIN];
export const USER: ErrorCode[] = ['UNAUTHENTICATED', 'TOKEN_INVALID', 'RATE_LIMITED', ...DB];
/** Organisation routes: a non-member is told the organisation does not exist; a too-low role is FORBIDDEN. */
export const MEMBER: ErrorCode[] = ['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN', ...USER];
export const MEMBER_WRITE: ErrorCode[] = [...BODY, 'NOT_FOUND', 'FORBIDDEN', ...USER];
export const LICENSE_REFUSALS: ErrorCode[] = ['LICENSE_NOT_FOUND', 'LICENSE_SUSPENDED', 'LICENSE_REVOKED', 'LICENSE_EXPIRED'];
export const SESSION: ErrorCode[] = [...BODY, 'SESSION_NOT_FOUND', ...DB];
export const AUTH_PAGE: ErrorCode[] = ['RATE_LIMITED', ...DB];

export const html = (description: string): OpenApiFragment => ({
  description,
  content: { 'text/html': { schema: { type: 'string', description: 'A small server-rendered page without scripts.' } } },
});
export const redirect = (description: string): OpenApiFragment => ({
  description,
  headers: { Location: { description: 'Where the browser goes next.', schema: { type: 'string', format: 'uri-reference' } } },
});
export const userSecurity: Record<string, string[]>[] = [{ userToken: [] }, { browserCookie: [] }];
