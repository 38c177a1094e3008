import { z } from 'zod';
import { id } from './common.js';
import { EXAMPLE_IDS } from './examples.js';

const planId = id('plan').describe('The plan to buy; it must have a `stripePriceId`.');
const quantity = z
  .number()
  .int()
  .min(1)
  .max(100_000)
  .default(1)
  .describe('How many seats.')
  .meta({ examples: [5] });

export const checkoutRequest = z
  .strictObject({ planId, quantity })
  .meta({ id: 'CheckoutRequest', description: 'What to buy.', examples: [{ planId: EXAMPLE_IDS.plan, quantity: 5 }] });

export const adminCheckoutRequest = z
  .strictObject({
    planId,
    quantity,
    email: z
      .email()
      .optional()
      .describe("The customer's e-mail address, to prefill the checkout.")
      .meta({ examples: ['billing@acme.example'] }),
  })
  .meta({
    id: 'AdminCheckoutRequest',
    description: 'What to buy for the organisation, and whom Stripe should e-mail.',
    examples: [{ planId: EXAMPLE_IDS.plan, quantity: 5, email: 'billing@acme.example' }],
  });

export const billingRedirect = z
  .object({
    url: z
      .url()
      .describe('The Stripe page to send the person to.')
      .meta({ examples: ['https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8'] }),
    id: z
      .string()
      .optional()
      .describe("The Stripe Checkout Session's ID.")
      .meta({ examples: ['cs_test_a1B2c3D4e5F6g7H8'] }),
  })
  .meta({ id: 'BillingRedirect', description: 'A Stripe-hosted page (Checkout or the customer portal) to send the person to.' });

/** The effect of one Stripe delivery, as the webhook acknowledges it. */
export const stripeWebhookAck = z
  .object({
    received: z.literal(true).describe('The delivery was verified and handled (or was a duplicate).'),
    outcome: z
      .enum(['applied', 'duplicate', 'stale', 'ignored', 'unmapped-price', 'unknown-subscription'])
      .describe(
        '`applied` changed a license; `duplicate` was seen before; `stale` is older than the state applied; `ignored` needs nothing; `unmapped-price` names a price no plan has (audited); `unknown-subscription` names no license.',
      ),
  })
  .meta({ id: 'StripeWebhookAck', description: 'Stripe may stop retrying: the event is recorded.', examples: [{ received: true, outcome: 'applied' }] });

/** The fields of a Stripe event the server reads; Stripe sends many more. */
export const stripeEventDocument = z
  .object({
    id: z
      .string()
      .describe("Stripe's event ID; each is applied once.")
      .meta({ examples: ['evt_1QZx9aLk2m4N6p8R0t2v4x6z'] }),
    type: z
      .string()
      .describe('The event type, e.g. `customer.subscription.updated`.')
      .meta({ examples: ['customer.subscription.updated'] }),
    created: z
      .number()
      .int()
      .describe('When Stripe created the event, in Unix seconds.')
      .meta({ examples: [1893834000] }),
    data: z
      .object({ object: z.record(z.string(), z.unknown()).describe('The Stripe object the event is about (a subscription, invoice or checkout session).') })
      .describe('The event payload.'),
  })
  .catchall(z.unknown())
  .meta({ id: 'StripeEvent', description: 'A Stripe event as Stripe delivers it (only the fields used are described).' });
