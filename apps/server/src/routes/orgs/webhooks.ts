import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { userContext } from '../auth/user-auth.js';
import { caller, orgParams, problems } from './common.js';

/** An organisation's own webhook endpoints: owners and admins manage them; they receive only its events. */
export const orgWebhookRoutes: FastifyPluginAsync<Pick<Services, 'identity' | 'webhooks'>> = async (plain, { identity, webhooks }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { memberships } = identity;
  const { endpoints, deliveries } = webhooks;
  const tags = ['webhooks'];
  const endpointParams = orgParams.extend({ endpointId: schemas.id('webhookEndpoint').describe('The webhook endpoint.') });
  const deliveryParams = endpointParams.extend({ deliveryId: schemas.id('webhookDelivery').describe('The delivery.') });
  /** Owners and admins only; the organisation of the path is the scope. */
  const scopeOf = async (request: FastifyRequest, orgId: string) => {
    await memberships.requireRole(caller(request).userId, orgId, 'admin');
    return { organisationId: orgId };
  };

  app.post(
    '/orgs/:orgId/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Add a webhook endpoint (owners and admins)',
        description: "It receives this organisation's events only. The signing secret is in this answer only.",
        params: orgParams,
        body: schemas.createOrgWebhookEndpoint,
        response: { 201: schemas.createdWebhookEndpoint, ...problems },
      },
    },
    async (request, reply) => {
      const scope = await scopeOf(request, request.params.orgId);
      return reply.code(201).send(await endpoints.create(request.body, scope, userContext(request)));
    },
  );
  app.get(
    '/orgs/:orgId/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'List webhook endpoints (owners and admins)',
        params: orgParams,
        querystring: schemas.webhookEndpointQuery,
        response: { 200: schemas.webhookEndpointPage, ...problems },
      },
    },
    async (request) => endpoints.list(request.query.limit, request.query.cursor, await scopeOf(request, request.params.orgId)),
  );
  app.get(
    '/orgs/:orgId/webhook-endpoints/:endpointId',
    {
      schema: { tags, summary: 'Read a webhook endpoint (owners and admins)', params: endpointParams, response: { 200: schemas.webhookEndpoint, ...problems } },
    },
    async (request) => endpoints.get(request.params.endpointId, await scopeOf(request, request.params.orgId)),
  );
  app.patch(
    '/orgs/:orgId/webhook-endpoints/:endpointId',
    {
      schema: {
        tags,
        summary: 'Change a webhook endpoint (owners and admins)',
        params: endpointParams,
        body: schemas.updateWebhookEndpoint,
        response: { 200: schemas.webhookEndpoint, ...problems },
      },
    },
    async (request) => endpoints.update(request.params.endpointId, request.body, await scopeOf(request, request.params.orgId), userContext(request)),
  );
  app.delete(
    '/orgs/:orgId/webhook-endpoints/:endpointId',
    {
      schema: {
        tags,
        summary: 'Delete a webhook endpoint (owners and admins)',
        params: endpointParams,
        response: { 200: schemas.deletedWebhookEndpoint, ...problems },
      },
    },
    async (request) => endpoints.remove(request.params.endpointId, await scopeOf(request, request.params.orgId), userContext(request)),
  );
  app.post(
    '/orgs/:orgId/webhook-endpoints/:endpointId/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Rotate the signing secret (owners and admins)',
        description: 'The new secret is in this answer only; the previous one keeps signing beside it for 24 hours.',
        params: endpointParams,
        response: { 200: schemas.createdWebhookEndpoint, ...problems },
      },
    },
    async (request) => endpoints.rotateSecret(request.params.endpointId, await scopeOf(request, request.params.orgId), userContext(request)),
  );
  app.get(
    '/orgs/:orgId/webhook-endpoints/:endpointId/deliveries',
    {
      schema: {
        tags,
        summary: 'List deliveries (owners and admins)',
        params: endpointParams,
        querystring: schemas.webhookDeliveryQuery,
        response: { 200: schemas.webhookDeliveryPage, ...problems },
      },
    },
    async (request) => deliveries.list(request.params.endpointId, request.query, await scopeOf(request, request.params.orgId)),
  );
  app.get(
    '/orgs/:orgId/webhook-endpoints/:endpointId/deliveries/:deliveryId',
    {
      schema: {
        tags,
        summary: 'Read a delivery and its attempts (owners and admins)',
        params: deliveryParams,
        response: { 200: schemas.webhookDeliveryDetail, ...problems },
      },
    },
    async (request) => deliveries.get(request.params.endpointId, request.params.deliveryId, await scopeOf(request, request.params.orgId)),
  );
  app.post(
    '/orgs/:orgId/webhook-endpoints/:endpointId/deliveries/:deliveryId/redeliver',
    { schema: { tags, summary: 'Send a delivery again (owners and admins)', params: deliveryParams, response: { 200: schemas.webhookDelivery, ...problems } } },
    async (request) =>
      deliveries.redeliver(request.params.endpointId, request.params.deliveryId, await scopeOf(request, request.params.orgId), userContext(request)),
  );
};
