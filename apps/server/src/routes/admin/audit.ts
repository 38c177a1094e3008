import { Readable } from 'node:stream';
import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminScope } from './auth.js';
import { problems } from './common.js';

const exportQuery = schemas.auditQuery.omit({ limit: true, cursor: true });

export const auditRoutes: FastifyPluginAsync<Pick<Services, 'audit'>> = async (plain, { audit }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  app.get(
    '/audit',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags,
        summary: 'Query audit events, newest first',
        querystring: schemas.auditQuery,
        response: { 200: schemas.auditPage, ...problems },
      },
    },
    async (request) => audit.query(request.query, adminScope(request)),
  );
  app.get(
    '/audit/export',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags,
        summary: 'Export audit events as JSON lines, oldest first',
        querystring: exportQuery,
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const events = audit.export(request.query, adminScope(request));
      async function* lines() {
        for await (const event of events) yield `${JSON.stringify(event)}\n`;
      }
      reply.type('application/x-ndjson').header('content-disposition', 'attachment; filename="leasehold-audit.jsonl"');
      return reply.send(Readable.from(lines()));
    },
  );
  app.get(
    '/audit/verify',
    {
      config: { scope: 'audit:read' },
      schema: { tags, summary: 'Verify the hash chain and name the first altered or removed event', response: { 200: schemas.auditVerdict, ...problems } },
    },
    async (request) => {
      // An organisation-bound key sees only its events; the chain spans all of them.
      if (adminScope(request).organisationId) return { ok: true, events: 0 };
      return audit.verify();
    },
  );
};
