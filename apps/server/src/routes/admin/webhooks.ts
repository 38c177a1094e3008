import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminContext, adminScope } from './auth.js';
import { idParams, problems } from './common.js';

export const webhookRoutes: FastifyPluginAsync<Pick<Services, 'webhooks'>> = async (plain, { webhooks }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];
  const params = idParams('webhookEndpoint');
  const deliveryParams = params.extend({ deliveryId: schemas.id('webhookDelivery').describe('The delivery.') });
  const read = { scope: 'webhooks:read' } as const;
  const write = { scope: 'webhooks:write' } as const;
  const { endpoints, deliveries } = webhooks;

  app.post(
    '/webhook-endpoints',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a webhook endpoint',
        description: 'The signing secret is in this answer only.',
        body: schemas.createWebhookEndpoint,
        response: { 201: schemas.createdWebhookEndpoint, ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await endpoints.create(request.body, adminScope(request), adminContext(request))),
  );
  app.get(
    '/webhook-endpoints',
    {
      config: read,
      schema: {
        tags,
        summary: 'List webhook endpoints',
        querystring: schemas.webhookEndpointQuery,
        response: { 200: schemas.webhookEndpointPage, ...problems },
      },
    },
    async (request) => endpoints.list(request.query.limit, request.query.cursor, adminScope(request)),
  );
  app.get(
    '/webhook-endpoints/:id',
    { config: read, schema: { tags, summary: 'Read a webhook endpoint', params, response: { 200: schemas.webhookEndpoint, ...problems } } },
    async (request) => endpoints.get(request.params.id, adminScope(request)),
  );
  app.patch(
    '/webhook-endpoints/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        params,
        body: schemas.updateWebhookEndpoint,
        response: { 200: schemas.webhookEndpoint, ...problems },
      },
    },
    async (request) => endpoints.update(request.params.id, request.body, adminScope(request), adminContext(request)),
  );
  app.delete(
    '/webhook-endpoints/:id',
    { config: write, schema: { tags, summary: 'Delete a webhook endpoint', params, response: { 200: schemas.deletedWebhookEndpoint, ...problems } } },
    async (request) => endpoints.remove(request.params.id, adminScope(request), adminContext(request)),
  );
  app.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rotate the signing secret',
        description: 'The new secret is in this answer only; the previous one keeps signing beside it for 24 hours.',
        params,
        response: { 200: schemas.createdWebhookEndpoint, ...problems },
      },
    },
    async (request) => endpoints.rotateSecret(request.params.id, adminScope(request), adminContext(request)),
  );
  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      config: read,
      schema: {
        tags,
        summary: 'List deliveries',
        params,
        querystring: schemas.webhookDeliveryQuery,
        response: { 200: schemas.webhookDeliveryPage, ...problems },
      },
    },
    async (request) => deliveries.list(request.params.id, request.query, adminScope(request)),
  );
  app.get(
    '/webhook-endpoints/:id/deliveries/:deliveryId',
    {
      config: read,
      schema: { tags, summary: 'Read a delivery and its attempts', params: deliveryParams, response: { 200: schemas.webhookDeliveryDetail, ...problems } },
    },
    async (request) => deliveries.get(request.params.id, request.params.deliveryId, adminScope(request)),
  );
  app.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
    { config: write, schema: { tags, summary: 'Send a delivery again', params: deliveryParams, response: { 200: schemas.webhookDelivery, ...problems } } },
    async (request) => deliveries.redeliver(request.params.id, request.params.deliveryId, adminScope(request), adminContext(request)),
  );
};
