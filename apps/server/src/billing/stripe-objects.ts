import { z } from 'zod';

/**
 * The few fields of Stripe objects that billing reads, parsed loosely: Stripe adds
 * fields freely and moved some between API versions (period ends went from the
 * subscription to its items; an invoice's subscription moved under `parent`).
 */
const id = z.string().min(1);
const expandable = z.union([id, z.object({ id }).passthrough()]).transform((v) => (typeof v === 'string' ? v : v.id));
const metadata = z
  .record(z.string(), z.string())
  .nullish()
  .transform((m) => m ?? {});

export const stripeEvent = z
  .object({
    id: z.string().regex(/^evt_/),
    type: z.string().min(1),
    created: z.number().int(),
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .passthrough();
export type StripeEvent = z.infer<typeof stripeEvent>;

export const checkoutSession = z
  .object({
    id,
    mode: z.string().nullish(),
    customer: expandable.nullish(),
    subscription: expandable.nullish(),
    client_reference_id: z.string().nullish(),
    metadata,
    customer_details: z.object({ email: z.string().nullish(), name: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

const subscriptionItem = z
  .object({
    price: z.object({ id }).passthrough(),
    quantity: z.number().int().nullish(),
    current_period_end: z.number().int().nullish(),
  })
  .passthrough();

export const subscription = z
  .object({
    id: z.string().regex(/^sub_/),
    customer: expandable,
    status: z.enum(['trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused', 'incomplete', 'incomplete_expired']),
    items: z.object({ data: z.array(subscriptionItem).min(1) }).passthrough(),
    current_period_end: z.number().int().nullish(),
    ended_at: z.number().int().nullish(),
    metadata,
  })
  .passthrough()
  .transform((s) => {
    const item = s.items.data[0] as z.infer<typeof subscriptionItem>;
    return {
      id: s.id,
      customer: s.customer,
      status: s.status,
      priceId: item.price.id,
      quantity: item.quantity ?? 1,
      periodEnd: item.current_period_end ?? s.current_period_end ?? null,
      endedAt: s.ended_at ?? null,
      metadata: s.metadata,
    };
  });
export type Subscription = z.infer<typeof subscription>;

export const invoice = z
  .object({
    id,
    subscription: expandable.nullish(),
    parent: z
      .object({ subscription_details: z.object({ subscription: expandable }).passthrough().nullish() })
      .passthrough()
      .nullish(),
    lines: z
      .object({ data: z.array(z.object({ period: z.object({ end: z.number().int() }).passthrough().nullish() }).passthrough()) })
      .passthrough()
      .nullish(),
    period_end: z.number().int().nullish(),
  })
  .passthrough()
  .transform((i) => ({
    id: i.id,
    subscriptionId: i.subscription ?? i.parent?.subscription_details?.subscription ?? null,
    // The paid period ends at the latest line's end; old API versions had period_end on the invoice.
    periodEnd: Math.max(...(i.lines?.data ?? []).map((l) => l.period?.end ?? 0), 0) || i.period_end || null,
  }));
export type Invoice = z.infer<typeof invoice>;

export const lineItems = z.object({
  data: z.array(z.object({ price: z.object({ id }).passthrough().nullish(), quantity: z.number().int().nullish() }).passthrough()),
});
