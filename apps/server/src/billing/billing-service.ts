import { newId } from '@leasehold/protocol/ids';
import type Stripe from 'stripe';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { type BilledLicenseRow, billingRepository } from '../repositories/billing-repository.js';
import { seatUsageRepository } from '../repositories/seat-usage-repository.js';
import { newLicenseRow } from '../services/license-service.js';
import { checkoutSession, type Invoice, invoice, lineItems, type StripeEvent, type Subscription, subscription } from './stripe-objects.js';

export type BillingOutcome =
  | { kind: 'duplicate' }
  | { kind: 'applied'; licenseId: string; summary: string }
  | { kind: 'stale'; licenseId: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unmapped-price'; priceId: string }
  | { kind: 'unknown-subscription'; subscriptionId: string };

export interface BillingDeps {
  db: Db;
  clock: Clock;
  /** The Stripe client, when a secret key is configured; used to read a checkout's line items. */
  stripe: Stripe | null;
  graceDays: number;
}

const DAY_MS = 86_400_000;
/** An active subscription's license runs a day past the paid period, so a renewal paid a little late never interrupts work. */
const RENEWAL_SLACK_MS = DAY_MS;
const at = (seconds: number) => new Date(seconds * 1000);

/**
 * Turns Stripe events into license changes. Each event is recorded in the same
 * transaction as its effect, so a redelivery (even a concurrent one) finds its ID
 * taken and changes nothing; subscription states older than the one applied are
 * ignored, so events arriving out of order never move a license back.
 */
export class BillingService {
  constructor(private readonly deps: BillingDeps) {}

  async handleEvent(event: StripeEvent): Promise<BillingOutcome> {
    const prepared = await this.#prepare(event);
    const now = this.deps.clock.now();
    const ctx: RequestContext = { requestId: null, ip: null, actor: { type: 'stripe', id: event.id } };
    return this.deps.db.transaction(async (tx) => {
      const fresh = await billingRepository.recordEventOnce(tx, { id: event.id, type: event.type, createdAt: at(event.created), receivedAt: now });
      if (!fresh) return { kind: 'duplicate' } as const;
      const outcome = await this.#apply(tx, event, prepared, ctx, now);
      const licenseId = 'licenseId' in outcome ? outcome.licenseId : null;
      await billingRepository.setEventOutcome(tx, event.id, describe(outcome), licenseId);
      return outcome;
    });
  }

  /** Reads what an event lacks from Stripe before the transaction opens: no network calls while rows are locked. */
  async #prepare(event: StripeEvent): Promise<{ priceId: string; quantity: number } | null> {
    if (event.type !== 'checkout.session.completed') return null;
    const session = parse(checkoutSession, event.data.object);
    if (session.mode !== 'subscription') return null;
    if (session.metadata.priceId) return { priceId: session.metadata.priceId, quantity: Number(session.metadata.quantity ?? 1) || 1 };
    if (!this.deps.stripe) return null;
    const items = lineItems.parse(await this.deps.stripe.checkout.sessions.listLineItems(session.id, { limit: 1 }));
    const first = items.data[0];
    return first?.price ? { priceId: first.price.id, quantity: first.quantity ?? 1 } : null;
  }

  async #apply(tx: Tx, event: StripeEvent, prepared: { priceId: string; quantity: number } | null, ctx: RequestContext, now: Date): Promise<BillingOutcome> {
    const object = event.data.object;
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = parse(checkoutSession, object);
        if (session.mode !== 'subscription' || !session.subscription || !session.customer) return { kind: 'ignored', reason: 'not a subscription checkout' };
        if (!prepared) return { kind: 'ignored', reason: 'no price in the checkout' };
        const orgId = await this.#organisationFor(
          tx,
          session.customer,
          session.client_reference_id ?? session.metadata.organisationId ?? null,
          session.customer_details?.name ?? session.customer_details?.email ?? null,
          ctx,
          now,
        );
        return this.#ensureLicense(
          tx,
          {
            subscriptionId: session.subscription,
            organisationId: orgId,
            priceId: prepared.priceId,
            quantity: prepared.quantity,
            periodEnd: null,
            eventAt: at(event.created),
          },
          ctx,
          now,
        );
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const sub = parse(subscription, object);
        let license = await billingRepository.lockLicenseOfSubscription(tx, sub.id);
        if (!license) {
          if (event.type === 'customer.subscription.deleted') return { kind: 'unknown-subscription', subscriptionId: sub.id };
          const orgId = await this.#organisationFor(tx, sub.customer, sub.metadata.organisationId ?? null, null, ctx, now);
          const created = await this.#ensureLicense(
            tx,
            {
              subscriptionId: sub.id,
              organisationId: orgId,
              priceId: sub.priceId,
              quantity: sub.quantity,
              periodEnd: sub.periodEnd,
              eventAt: at(event.created),
            },
            ctx,
            now,
          );
          if (created.kind !== 'applied') return created;
          license = await billingRepository.lockLicenseOfSubscription(tx, sub.id);
          if (!license) throw new Error('license vanished inside its transaction');
        }
        return this.#applySubscription(tx, license, sub, event, ctx, now);
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const inv = parse(invoice, object);
        if (!inv.subscriptionId) return { kind: 'ignored', reason: 'invoice without a subscription' };
        const license = await billingRepository.lockLicenseOfSubscription(tx, inv.subscriptionId);
        if (!license) return { kind: 'unknown-subscription', subscriptionId: inv.subscriptionId };
        return event.type === 'invoice.paid' ? this.#paid(tx, license, inv, event, ctx, now) : this.#paymentFailed(tx, license, event, ctx, now);
      }
      default:
        return { kind: 'ignored', reason: `event type ${event.type} is not used` };
    }
  }

  /** The organisation a Stripe customer pays for: known by customer ID, named by our checkout, or new. */
  async #organisationFor(tx: Tx, customerId: string, referencedOrg: string | null, name: string | null, ctx: RequestContext, now: Date): Promise<string> {
    const byCustomer = await billingRepository.organisationIdOfCustomer(tx, customerId);
    if (byCustomer) return byCustomer;
    if (referencedOrg) {
      const referenced = await billingRepository.findOrganisation(tx, referencedOrg);
      if (referenced && !referenced.stripeCustomerId) {
        await billingRepository.linkCustomer(tx, referenced.id, customerId, now);
        await appendAudit(tx, ctx, now, [
          { action: 'organisation.billing-linked', organisationId: referenced.id, targetType: 'organisation', targetId: referenced.id, data: { customerId } },
        ]);
        return referenced.id;
      }
    }
    const id = newId('organisation', now.getTime());
    await billingRepository.insertOrganisation(tx, {
      id,
      name: name ?? `Stripe customer ${customerId}`,
      metadata: {},
      stripeCustomerId: customerId,
      createdAt: now,
      updatedAt: now,
    });
    await appendAudit(tx, ctx, now, [
      { action: 'organisation.created', organisationId: id, targetType: 'organisation', targetId: id, data: { customerId, source: 'stripe' } },
    ]);
    return id;
  }

  async #ensureLicense(
    tx: Tx,
    input: { subscriptionId: string; organisationId: string; priceId: string; quantity: number; periodEnd: number | null; eventAt: Date },
    ctx: RequestContext,
    now: Date,
  ): Promise<BillingOutcome> {
    const existing = await billingRepository.lockLicenseOfSubscription(tx, input.subscriptionId);
    if (existing) return { kind: 'applied', licenseId: existing.id, summary: 'license already exists' };
    const plan = await billingRepository.planOfPrice(tx, input.priceId);
    if (!plan) {
      // Not guessed: the vendor maps the price to a plan, then Stripe's retry or the next event applies.
      await appendAudit(tx, ctx, now, [
        {
          action: 'billing.price-unmapped',
          organisationId: input.organisationId,
          targetType: 'stripe-price',
          targetId: input.priceId,
          data: { subscriptionId: input.subscriptionId },
        },
      ]);
      return { kind: 'unmapped-price', priceId: input.priceId };
    }
    const expiresAt = input.periodEnd ? new Date(input.periodEnd * 1000 + RENEWAL_SLACK_MS) : null;
    const { row } = newLicenseRow(
      {
        organisationId: input.organisationId,
        plan,
        seats: input.quantity,
        overage: null,
        entitlements: null,
        expiresAt,
        metadata: {},
        stripeSubscriptionId: input.subscriptionId,
      },
      now,
    );
    await billingRepository.insertLicense(tx, { ...row, billingStatus: 'active', billingStateAt: input.eventAt });
    await seatUsageRepository.recordSeatsInForceOfLicense(tx, now, row.id);
    await appendAudit(tx, ctx, now, [
      {
        action: 'license.created',
        organisationId: row.organisationId,
        targetType: 'license',
        targetId: row.id,
        data: { planId: plan.id, seats: input.quantity, subscriptionId: input.subscriptionId, source: 'stripe' },
      },
    ]);
    return { kind: 'applied', licenseId: row.id, summary: `license created with ${input.quantity} seats` };
  }

  async #applySubscription(tx: Tx, license: BilledLicenseRow, sub: Subscription, event: StripeEvent, ctx: RequestContext, now: Date): Promise<BillingOutcome> {
    const eventAt = at(event.created);
    const deleted = event.type === 'customer.subscription.deleted';
    // Stripe's times are whole seconds: on a tie a canceled subscription is never revived.
    if (
      license.billingStateAt &&
      (eventAt < license.billingStateAt || (eventAt.getTime() === license.billingStateAt.getTime() && license.billingStatus === 'canceled' && !deleted))
    ) {
      return { kind: 'stale', licenseId: license.id };
    }
    const status = deleted ? 'canceled' : sub.status;
    const changes: Partial<BilledLicenseRow> = { billingStatus: status, billingStateAt: eventAt, seatsOverride: sub.quantity, updatedAt: now };
    const plan = await billingRepository.planOfPrice(tx, sub.priceId);
    if (plan && plan.productId === license.productId) changes.planId = plan.id;
    if (!plan) {
      await appendAudit(tx, ctx, now, [
        {
          action: 'billing.price-unmapped',
          organisationId: license.organisationId,
          targetType: 'stripe-price',
          targetId: sub.priceId,
          data: { subscriptionId: sub.id, licenseId: license.id },
        },
      ]);
    }
    if (status === 'canceled') {
      // Paid time is honoured: the license runs to the end of the period, then expires.
      const end = sub.periodEnd && sub.periodEnd * 1000 > now.getTime() ? sub.periodEnd : (sub.endedAt ?? Math.floor(now.getTime() / 1000));
      changes.expiresAt = at(end);
    } else if (sub.periodEnd && status !== 'incomplete_expired') {
      const renewed = new Date(sub.periodEnd * 1000 + RENEWAL_SLACK_MS);
      if (!license.expiresAt || renewed > license.expiresAt) changes.expiresAt = renewed;
    }
    if (status === 'incomplete_expired') changes.expiresAt = now;
    const suspend = status === 'unpaid' || status === 'paused' || status === 'incomplete';
    if (suspend && license.status === 'active') {
      changes.status = 'suspended';
      changes.suspensionReason = 'billing';
    }
    if ((status === 'active' || status === 'trialing') && license.status === 'suspended' && license.suspensionReason === 'billing') {
      changes.status = 'active';
      changes.suspensionReason = null;
    }
    if (status === 'active' || status === 'trialing') changes.paymentFailedAt = null;
    if (changes.expiresAt && changes.expiresAt > now && license.status === 'expired' && status !== 'canceled') changes.status = 'active';
    await billingRepository.updateLicense(tx, license.id, changes);
    await seatUsageRepository.recordSeatsInForceOfLicense(tx, now, license.id);
    await appendAudit(tx, ctx, now, [
      {
        action: 'license.billing-updated',
        organisationId: license.organisationId,
        targetType: 'license',
        targetId: license.id,
        data: {
          eventId: event.id,
          eventType: event.type,
          subscriptionStatus: status,
          seats: sub.quantity,
          planId: changes.planId ?? license.planId,
          expiresAt: (changes.expiresAt ?? license.expiresAt)?.toISOString() ?? null,
          status: changes.status ?? license.status,
        },
      },
    ]);
    return { kind: 'applied', licenseId: license.id, summary: `subscription ${status}, ${sub.quantity} seats` };
  }

  async #paid(tx: Tx, license: BilledLicenseRow, inv: Invoice, event: StripeEvent, ctx: RequestContext, now: Date): Promise<BillingOutcome> {
    const eventAt = at(event.created);
    const changes: Partial<BilledLicenseRow> = { updatedAt: now };
    if (inv.periodEnd) {
      const renewed = new Date(inv.periodEnd * 1000 + RENEWAL_SLACK_MS);
      if (!license.expiresAt || renewed > license.expiresAt) changes.expiresAt = renewed;
    }
    // A payment older than the latest failure does not cure it.
    if (!license.paymentFailedAt || eventAt >= license.paymentFailedAt) {
      changes.paymentFailedAt = null;
      if (license.status === 'suspended' && license.suspensionReason === 'billing') {
        changes.status = 'active';
        changes.suspensionReason = null;
      }
    }
    if (license.status === 'expired' && changes.expiresAt && license.billingStatus !== 'canceled') changes.status = 'active';
    await billingRepository.updateLicense(tx, license.id, changes);
    await appendAudit(tx, ctx, now, [
      {
        action: 'license.renewed',
        organisationId: license.organisationId,
        targetType: 'license',
        targetId: license.id,
        data: {
          eventId: event.id,
          invoiceId: inv.id,
          expiresAt: (changes.expiresAt ?? license.expiresAt)?.toISOString() ?? null,
          status: changes.status ?? license.status,
          source: 'stripe',
        },
      },
    ]);
    return { kind: 'applied', licenseId: license.id, summary: 'invoice paid' };
  }

  async #paymentFailed(tx: Tx, license: BilledLicenseRow, event: StripeEvent, ctx: RequestContext, now: Date): Promise<BillingOutcome> {
    const failedAt = license.paymentFailedAt ?? at(event.created);
    const graceUntil = new Date(failedAt.getTime() + this.deps.graceDays * DAY_MS);
    await billingRepository.updateLicense(tx, license.id, { paymentFailedAt: failedAt, updatedAt: now });
    await appendAudit(tx, ctx, now, [
      {
        action: 'license.payment-failed',
        organisationId: license.organisationId,
        targetType: 'license',
        targetId: license.id,
        data: { eventId: event.id, graceUntil: graceUntil.toISOString() },
      },
    ]);
    return { kind: 'applied', licenseId: license.id, summary: `payment failed; suspension after ${graceUntil.toISOString()}` };
  }

  /** Suspends licenses whose payment failed longer ago than the grace. Runs with the reaper. */
  async enforceGrace(ctx: RequestContext): Promise<number> {
    const now = this.deps.clock.now();
    const cutoff = new Date(now.getTime() - this.deps.graceDays * DAY_MS);
    return this.deps.db.transaction(async (tx) => {
      const overdue = await billingRepository.lockOverdue(tx, cutoff);
      for (const license of overdue) {
        await billingRepository.updateLicense(tx, license.id, { status: 'suspended', suspensionReason: 'billing', updatedAt: now });
      }
      await appendAudit(
        tx,
        ctx,
        now,
        overdue.map((l) => ({
          action: 'license.suspended',
          organisationId: l.organisationId,
          targetType: 'license',
          targetId: l.id,
          data: { reason: 'payment failed', paymentFailedAt: l.paymentFailedAt?.toISOString() },
        })),
      );
      return overdue.length;
    });
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new LeaseholdError('VALIDATION_FAILED', `The Stripe object is not as expected: ${first?.path.join('.')} ${first?.message}.`);
  }
  return result.data;
}

function describe(outcome: BillingOutcome): string {
  switch (outcome.kind) {
    case 'applied':
      return outcome.summary;
    case 'ignored':
      return `ignored: ${outcome.reason}`;
    case 'unmapped-price':
      return `price ${outcome.priceId} is not mapped to a plan`;
    case 'unknown-subscription':
      return `no license for subscription ${outcome.subscriptionId}`;
    default:
      return outcome.kind;
  }
}
