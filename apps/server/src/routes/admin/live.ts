import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { LiveStreams } from '../../dashboard/live-stream.js';
import { adminScope } from './auth.js';
import { idParams, problems } from './common.js';

/** The dashboard's views: the overview, an organisation's members, a license's live sessions as server-sent events. */
export const liveRoutes: FastifyPluginAsync<Pick<Services, 'overview' | 'organisations' | 'identity' | 'licenses' | 'sessions'>> = async (
  plain,
  { overview, organisations, identity, licenses, sessions },
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const streams = new LiveStreams();
  app.addHook('onClose', async () => streams.closeAll());

  app.get(
    '/overview',
    {
      config: { scope: 'licenses:read' },
      schema: {
        tags: ['licenses'],
        summary: 'Seats in use against seats sold, denials and expiries in the last 24 h, licenses near capacity',
        response: { 200: schemas.overview, ...problems },
      },
    },
    async (request) => overview.read(adminScope(request)),
  );

  app.get(
    '/organisations/:id/members',
    {
      config: { scope: 'organisations:read' },
      schema: {
        tags: ['organisations'],
        summary: "An organisation's members and their roles",
        params: idParams('organisation'),
        querystring: schemas.memberQuery,
        response: { 200: schemas.memberPage, ...problems },
      },
    },
    async (request) => {
      await organisations.get(request.params.id, adminScope(request));
      return identity.memberships.listMembers(request.params.id, request.query.limit, request.query.cursor);
    },
  );

  app.get(
    '/licenses/:id/sessions/live',
    {
      config: { scope: 'sessions:read' },
      schema: {
        tags: ['sessions'],
        summary: "A license's live sessions as server-sent events",
        description:
          'A `snapshot` event carries one page of live sessions (as GET /sessions: the first, or the one after `cursor`) each time it changes; checked every second.',
        params: idParams('license'),
        querystring: schemas.pageQueryOf('session'),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const scope = adminScope(request);
      await licenses.get(request.params.id, scope);
      streams.serve(request, reply, () => sessions.listLive({ licenseId: request.params.id, limit: request.query.limit, cursor: request.query.cursor }, scope));
    },
  );
};
