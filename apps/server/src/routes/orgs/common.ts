import { schemas } from '@leasehold/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthenticatedUser } from '../auth/user-auth.js';

export { problems } from '../problem-responses.js';

export const orgParams = z.strictObject({ orgId: schemas.id('organisation').describe('The organisation.') });

/** The person the hook authenticated. */
export function caller(request: FastifyRequest): AuthenticatedUser {
  if (!request.user) throw new Error('organisation route without an authenticated user');
  return request.user;
}
