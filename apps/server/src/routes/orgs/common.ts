import { schemas } from '@leasehold/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthenticatedUser } from '../auth/user-auth.js';

export const problems = {
  400: schemas.problem,
  401: schemas.problem,
  403: schemas.problem,
  404: schemas.problem,
  409: schemas.problem,
  429: schemas.problem,
};

export const orgParams = z.strictObject({ orgId: schemas.id('organisation') });

/** The person the hook authenticated. */
export function caller(request: FastifyRequest): AuthenticatedUser {
  if (!request.user) throw new Error('organisation route without an authenticated user');
  return request.user;
}
