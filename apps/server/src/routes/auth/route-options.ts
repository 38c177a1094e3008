import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app-services.js';

/** What each /auth route plugin is given: the services it names, and the shared rate limit. */
export type AuthRouteOptions<Names extends keyof Services> = Pick<Services, Names> & {
  /** The per-address rate limit of sign-in, token, refresh and device endpoints. */
  limit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
};
