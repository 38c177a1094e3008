import Stripe from 'stripe';
import type { Config } from '../config.js';

/** The official Stripe client, pointed at STRIPE_API_URL when set (a local fake in tests). */
export function createStripeClient(billing: Config['billing']): Stripe | null {
  if (!billing.stripeSecretKey) return null;
  const api = billing.stripeApiUrl ? new URL(billing.stripeApiUrl) : null;
  return new Stripe(billing.stripeSecretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    ...(api ? { host: api.hostname, port: api.port || (api.protocol === 'https:' ? 443 : 80), protocol: api.protocol === 'https:' ? 'https' : 'http' } : {}),
  });
}

/**
 * Checks a delivery's `Stripe-Signature` over the raw body with Stripe's own
 * verifier and default tolerance, trying each configured secret (two while the
 * endpoint's secret rotates). Returns the parsed event, or throws why not.
 */
export function verifyStripeDelivery(rawBody: Buffer, header: string, secrets: string[], nowMs: number): unknown {
  let lastError: unknown = new Error('no webhook secret is configured');
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(rawBody, header, secret, Stripe.webhooks.DEFAULT_TOLERANCE, undefined, nowMs);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
