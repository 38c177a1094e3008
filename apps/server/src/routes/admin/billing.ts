import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { adminScope } from './auth.js';
import { idParams, problems } from './common.js';

const checkoutRequest = schemas.adminCheckoutRequest;
const sessionUrl = schemas.billingRedirect;

export const billingRoutes: FastifyPluginAsync<Pick<Services, 'licenses' | 'audit' | 'organisations' | 'selfServe'>> = async (
  plain,
  { licenses, audit, organisations, selfServe },
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];
  app.get(
    '/licenses/:id/billing',
    {
      config: { scope: 'licenses:read' },
      schema: {
        tags,
        summary: 'Billing history of a license',
        description: 'The audit events Stripe caused for this license (actor `stripe`, with the event ID), newest first.',
        params: idParams('license'),
        querystring: schemas.seqPageQuery,
        response: { 200: schemas.auditPage, ...problems },
      },
    },
    async (request) => {
      await licenses.get(request.params.id, adminScope(request));
      return audit.query({ ...request.query, targetId: request.params.id, actorType: 'stripe' }, adminScope(request));
    },
  );
  app.post(
    '/organisations/:id/billing/checkout',
    {
      config: { scope: 'organisations:write' },
      schema: {
        tags,
        summary: 'Start a Stripe Checkout for a plan',
        params: idParams('organisation'),
        body: checkoutRequest,
        response: { 200: sessionUrl, ...problems },
      },
    },
    async (request) => {
      await organisations.get(request.params.id, adminScope(request));
      return selfServe.checkout(request.params.id, request.body.planId, request.body.quantity, request.body.email ? { email: request.body.email } : {});
    },
  );
  app.post(
    '/organisations/:id/billing/portal',
    {
      config: { scope: 'organisations:write' },
      schema: {
        tags,
        summary: 'Open the Stripe customer portal for an organisation',
        params: idParams('organisation'),
        response: { 200: sessionUrl, ...problems },
      },
    },
    async (request) => {
      await organisations.get(request.params.id, adminScope(request));
      return selfServe.portal(request.params.id);
    },
  );
};
