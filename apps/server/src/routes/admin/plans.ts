import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext } from './auth.js';
import { idParams, problems } from './common.js';

export const planRoutes: FastifyPluginAsync<Pick<Services, 'catalog'>> = async (plain, { catalog }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['plans'];
  app.post(
    '/plans',
    {
      config: { scope: 'plans:write' },
      schema: {
        tags,
        summary: 'Create a plan',
        description: 'Defaults: 1 seat, machine basis, lease TTL 360 s, heartbeat every 60 s, 1 day offline grace, no borrowing, no overage.',
        body: schemas.createPlan,
        response: { 201: schemas.plan, ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await catalog.createPlan(request.body, adminContext(request))),
  );
  app.get(
    '/plans',
    {
      config: { scope: 'plans:read' },
      schema: { tags, summary: 'List plans', querystring: schemas.planQuery, response: { 200: schemas.planPage, ...problems } },
    },
    async (request) => catalog.listPlans(request.query.limit, request.query.cursor, request.query.productId),
  );
  app.get(
    '/plans/:id',
    {
      config: { scope: 'plans:read' },
      schema: { tags, summary: 'Read a plan', params: idParams('plan'), response: { 200: schemas.plan, ...problems } },
    },
    async (request) => catalog.getPlan(request.params.id),
  );
  app.patch(
    '/plans/:id',
    {
      config: { scope: 'plans:write' },
      schema: { tags, summary: 'Change a plan', params: idParams('plan'), body: schemas.updatePlan, response: { 200: schemas.plan, ...problems } },
    },
    async (request) => catalog.updatePlan(request.params.id, request.body, adminContext(request)),
  );
};
