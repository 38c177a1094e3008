import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../app-services.js';
import { verifyStripeDelivery } from '../billing/stripe-client.js';
import { stripeEvent } from '../billing/stripe-objects.js';
import { LeaseholdError } from '../kernel/errors.js';

/**
 * Stripe's deliveries. The signature covers the raw bytes, so this plugin keeps
 * the body as a Buffer; a delivery that is unsigned, stale, wrongly signed or
 * malformed gets a 400 and changes nothing.
 */
export const webhookRoutes: FastifyPluginAsync<Pick<Services, 'billing' | 'clock' | 'config'>> = async (app, { billing, clock, config }) => {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/stripe', { schema: { tags: ['billing'], summary: 'Receive a Stripe event' } }, async (request, reply) => {
    const header = request.headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0) {
      throw new LeaseholdError('VALIDATION_FAILED', 'headers.stripe-signature: is required (an unsigned delivery is refused).', {
        errors: [{ path: 'headers.stripe-signature', message: 'is required' }],
      });
    }
    if (config.billing.webhookSecrets.length === 0) {
      throw new LeaseholdError('SERVICE_UNAVAILABLE', 'Stripe webhooks are not configured on this server (STRIPE_WEBHOOK_SECRET is not set).');
    }
    let verified: unknown;
    try {
      verified = verifyStripeDelivery(request.body as Buffer, header, config.billing.webhookSecrets, clock.now().getTime());
    } catch (error) {
      throw new LeaseholdError('VALIDATION_FAILED', `The Stripe signature does not verify: ${(error as Error).message}`);
    }
    const event = stripeEvent.safeParse(verified);
    if (!event.success) throw new LeaseholdError('VALIDATION_FAILED', 'The delivery is not a Stripe event.');
    const outcome = await billing.handleEvent(event.data);
    const log = { stripeEventId: event.data.id, stripeEventType: event.data.type, outcome };
    if (outcome.kind === 'unmapped-price')
      request.log.warn(log, `Stripe price ${outcome.priceId} is not mapped to any plan: map it with PATCH /api/v1/admin/plans/{id} {"stripePriceId": …}`);
    else if (outcome.kind === 'ignored' || outcome.kind === 'unknown-subscription') request.log.info(log, 'Stripe event acknowledged without effect');
    else request.log.info(log, 'Stripe event handled');
    return reply.send({ received: true, outcome: outcome.kind });
  });
};
