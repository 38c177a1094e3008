import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

export const organisationRoutes: FastifyPluginAsync<Pick<Services, 'organisations'>> = async (plain, { organisations }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['organisations'];
  app.post(
    '/organisations',
    {
      config: { scope: 'organisations:write' },
      schema: { tags, summary: 'Create an organisation', body: schemas.createOrganisation, response: { 201: schemas.organisation, ...problems } },
    },
    async (request, reply) => reply.code(201).send(await organisations.create(request.body, adminScope(request), adminContext(request))),
  );
  app.get(
    '/organisations',
    {
      config: { scope: 'organisations:read' },
      schema: {
        tags,
        summary: 'List organisations',
        querystring: schemas.pageQueryOf('organisation'),
        response: { 200: schemas.organisationPage, ...problems },
      },
    },
    async (request) => organisations.list(request.query.limit, request.query.cursor, adminScope(request)),
  );
  app.get(
    '/organisations/:id',
    {
      config: { scope: 'organisations:read' },
      schema: { tags, summary: 'Read an organisation', params: idParams('organisation'), response: { 200: schemas.organisation, ...problems } },
    },
    async (request) => organisations.get(request.params.id, adminScope(request)),
  );
  app.patch(
    '/organisations/:id',
    {
      config: { scope: 'organisations:write' },
      schema: {
        tags,
        summary: 'Change an organisation',
        params: idParams('organisation'),
        body: schemas.updateOrganisation,
        response: { 200: schemas.organisation, ...problems },
      },
    },
    async (request) => organisations.update(request.params.id, request.body, adminScope(request), adminContext(request)),
  );
};
