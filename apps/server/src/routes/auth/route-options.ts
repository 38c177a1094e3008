import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../compose.js';

/** What each /auth route plugin is given. */
export interface AuthRouteOptions {
  services: Services;
  /** The per-address rate limit of sign-in, token, refresh and device endpoints. */
  limit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}
