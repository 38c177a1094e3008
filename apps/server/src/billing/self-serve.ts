import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import { LeaseholdError, notFound } from '../kernel/errors.js';
import { billingRepository } from '../repositories/billing-repository.js';

export interface SelfServeDeps {
  db: Db;
  stripe: Stripe | null;
  urls: { success: string; cancel: string; portalReturn: string };
}

/**
 * Checkout and customer-portal sessions through the official Stripe client. The
 * organisation and plan travel in the session's metadata, so the webhook that
 * follows knows whom the new license is for without guessing.
 */
export class SelfServeBilling {
  constructor(private readonly deps: SelfServeDeps) {}

  #stripe(): Stripe {
    if (!this.deps.stripe) throw new LeaseholdError('SERVICE_UNAVAILABLE', 'Billing is not configured on this server (STRIPE_SECRET_KEY is not set).');
    return this.deps.stripe;
  }

  /** `buyer` prefills Checkout's e-mail field: given directly, or the signed-in person's verified address. */
  async checkout(organisationId: string, planId: string, quantity: number, buyer: { email?: string; userId?: string }): Promise<{ url: string; id: string }> {
    const stripe = this.#stripe();
    const email = buyer.email ?? (buyer.userId ? await this.#verifiedEmail(buyer.userId) : null);
    const org = await billingRepository.findOrganisation(this.deps.db, organisationId);
    if (!org) throw notFound('organisation', organisationId);
    const plan = await billingRepository.findPlan(this.deps.db, planId);
    if (!plan) throw notFound('plan', planId);
    if (!plan.stripePriceId) throw new LeaseholdError('INVALID_STATE', `Plan ${plan.code} is not sold through Stripe (it has no stripePriceId).`);
    const metadata = { organisationId, planId, priceId: plan.stripePriceId, quantity: String(quantity) };
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: plan.stripePriceId, quantity }],
      client_reference_id: organisationId,
      ...(org.stripeCustomerId ? { customer: org.stripeCustomerId } : email ? { customer_email: email } : {}),
      success_url: this.deps.urls.success,
      cancel_url: this.deps.urls.cancel,
      metadata,
      subscription_data: { metadata: { organisationId, planId } },
    });
    if (!session.url) throw new LeaseholdError('SERVICE_UNAVAILABLE', 'Stripe returned no checkout URL.');
    return { url: session.url, id: session.id };
  }

  async #verifiedEmail(userId: string): Promise<string | null> {
    const user = await billingRepository.buyerEmail(this.deps.db, userId);
    return user?.verified ? user.email : null;
  }

  async portal(organisationId: string): Promise<{ url: string }> {
    const stripe = this.#stripe();
    const org = await billingRepository.findOrganisation(this.deps.db, organisationId);
    if (!org) throw notFound('organisation', organisationId);
    if (!org.stripeCustomerId) throw new LeaseholdError('INVALID_STATE', 'This organisation has no Stripe subscription yet: start one with checkout first.');
    const session = await stripe.billingPortal.sessions.create({ customer: org.stripeCustomerId, return_url: this.deps.urls.portalReturn });
    return { url: session.url };
  }
}
