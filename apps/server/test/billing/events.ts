/** Stripe-shaped event payloads, as the API sends them, for the webhook tests. */
let counter = 0;

export function event(type: string, object: Record<string, unknown>, created: number, id = `evt_test_${++counter}_${Math.random().toString(36).slice(2, 8)}`) {
  return { id, object: 'event', api_version: '2025-10-29.clover', type, created, livemode: false, data: { object } };
}

export function subscription(opts: { id: string; customer: string; status: string; price: string; quantity: number; periodEnd: number; endedAt?: number }) {
  return {
    id: opts.id,
    object: 'subscription',
    customer: opts.customer,
    status: opts.status,
    ended_at: opts.endedAt ?? null,
    metadata: {},
    items: {
      object: 'list',
      data: [
        { id: 'si_1', object: 'subscription_item', price: { id: opts.price, object: 'price' }, quantity: opts.quantity, current_period_end: opts.periodEnd },
      ],
    },
  };
}

export function invoiceFor(subscriptionId: string, periodEnd: number) {
  return {
    id: `in_${Math.random().toString(36).slice(2, 10)}`,
    object: 'invoice',
    parent: { type: 'subscription_details', subscription_details: { subscription: subscriptionId } },
    lines: { object: 'list', data: [{ id: 'il_1', period: { start: periodEnd - 30 * 86_400, end: periodEnd } }] },
  };
}

export function checkoutCompleted(opts: { customer: string; subscription: string; metadata?: Record<string, string>; email?: string; sessionId?: string }) {
  return {
    id: opts.sessionId ?? `cs_${Math.random().toString(36).slice(2, 10)}`,
    object: 'checkout.session',
    mode: 'subscription',
    customer: opts.customer,
    subscription: opts.subscription,
    client_reference_id: opts.metadata?.organisationId ?? null,
    metadata: opts.metadata ?? {},
    customer_details: { email: opts.email ?? 'buyer@acme.test', name: 'Acme Ltd' },
  };
}
