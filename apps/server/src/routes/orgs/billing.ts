import { schemas } from '@leasehold/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../../app-services.js';
import { caller, orgParams, problems } from './common.js';

const checkoutRequest = schemas.checkoutRequest;
const sessionUrl = schemas.billingRedirect;

/** Self-serve billing for an organisation's owners and admins: buy seats, manage the subscription. */
export const orgBillingRoutes: FastifyPluginAsync<Pick<Services, 'identity' | 'selfServe'>> = async (plain, { identity, selfServe }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];

  app.post(
    '/orgs/:orgId/billing/checkout',
    {
      schema: {
        tags,
        summary: 'Start a Stripe Checkout for a plan (owners and admins)',
        description: 'Answers the Checkout URL to send the person to. The license follows from the webhook once paid.',
        params: orgParams,
        body: checkoutRequest,
        response: { 200: sessionUrl, ...problems },
      },
    },
    async (request) => {
      const user = caller(request);
      await identity.memberships.requireRole(user.userId, request.params.orgId, 'admin');
      return selfServe.checkout(request.params.orgId, request.body.planId, request.body.quantity, { userId: user.userId });
    },
  );

  app.post(
    '/orgs/:orgId/billing/portal',
    {
      schema: { tags, summary: 'Open the Stripe customer portal (owners and admins)', params: orgParams, response: { 200: sessionUrl, ...problems } },
    },
    async (request) => {
      await identity.memberships.requireRole(caller(request).userId, request.params.orgId, 'admin');
      return selfServe.portal(request.params.orgId);
    },
  );
};
