import type { ErrorCode } from '@leasehold/protocol/errors';
import { ADMIN_OPERATIONS } from './operations-admin.js';
import { DASHBOARD_OPERATIONS } from './operations-dashboard.js';
import { LICENSING_OPERATIONS } from './operations-licensing.js';
import { PEOPLE_OPERATIONS } from './operations-people.js';
import { PLATFORM_OPERATIONS } from './operations-platform.js';
import { SIGN_IN_OPERATIONS } from './operations-sign-in.js';

/** The HTTP methods routes use, in the order the document lists them. */
export const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** An OpenAPI fragment, written as it appears in the document. */
// biome-ignore lint/suspicious/noExplicitAny: OpenAPI objects are free-form JSON.
export type OpenApiFragment = Record<string, any>;

/**
 * What the OpenAPI document says about one operation beyond its route's schemas:
 * a method-like name, a description, and the problems it can really answer. Kept
 * beside, not inside, the routes so documentation and handlers change independently.
 */
export interface OperationDoc {
  operationId: string;
  description: string;
  /** The problem codes this operation answers (INTERNAL_ERROR is added to every one). */
  errors: ErrorCode[];
  /** Whether answers carry the rate limiter's `RateLimit-Remaining` header. */
  rateLimited?: boolean;
  /** Replaces the route's security requirements. */
  security?: Record<string, string[]>[];
  /** Replaces the generated success answers (redirects, HTML, text). */
  responses?: Record<string, OpenApiFragment>;
  /** Replaces the generated request body (for routes that read raw bytes). */
  requestBody?: OpenApiFragment;
  /** Extra parameters (headers the handler reads itself). */
  parameters?: OpenApiFragment[];
  /** OAuth endpoints answer OAuth errors (application/json) at these statuses. */
  oauthErrors?: number[];
}

/** Every documented operation, by `METHOD /path` as it appears in the document. */
export const OPERATIONS: Record<string, OperationDoc> = {
  ...LICENSING_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...PEOPLE_OPERATIONS,
  ...SIGN_IN_OPERATIONS,
  ...PLATFORM_OPERATIONS,
  ...DASHBOARD_OPERATIONS,
};
