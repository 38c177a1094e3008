import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';
import { snapshot } from '../support/snapshot.js';
import { checkoutCompleted, event, invoiceFor, subscription } from './events.js';
import { type FakeStripe, startFakeStripe } from './fake-stripe.js';

const SECRET = 'whsec_current_0123456789';
const PREVIOUS = 'whsec_previous_0123456789';
const DAY = 86_400;

describe('Stripe webhooks', () => {
  let h: Harness;
  let fake: FakeStripe;
  let productId: string;
  let teamPlan: string;
  let proPlan: string;
  const now = () => Math.floor(h.clock.now().getTime() / 1000);

  const deliver = (payload: unknown, opts: { secret?: string; timestamp?: number; header?: string | null; body?: string } = {}) => {
    const body = opts.body ?? JSON.stringify(payload);
    const header =
      opts.header === undefined
        ? Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(payload), secret: opts.secret ?? SECRET, timestamp: opts.timestamp ?? now() })
        : opts.header;
    return h.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload: body,
      headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'stripe-signature': header }) },
    });
  };
  const license = async (subscriptionId: string) => {
    const page = expectStatus(await h.admin('GET', '/licenses?limit=500'), 200);
    const all = page.data as { id: string }[];
    for (const l of all) {
      const history = expectStatus(await h.admin('GET', `/licenses/${l.id}/billing`), 200);
      if (history.data.some((e: { data: { subscriptionId?: string } }) => e.data.subscriptionId === subscriptionId))
        return expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200);
    }
    return null;
  };
  const start = async (sub: string, customer: string, quantity = 3) => {
    expectStatus(
      await deliver(
        event(
          'checkout.session.completed',
          checkoutCompleted({ customer, subscription: sub, metadata: { priceId: 'price_team', quantity: String(quantity) } }),
          now(),
        ),
      ),
      200,
    );
    return license(sub);
  };

  beforeAll(async () => {
    fake = await startFakeStripe({ cs_line_items: { price: 'price_team', quantity: 7 } });
    h = await createHarness('postgres', {
      env: {
        STRIPE_SECRET_KEY: 'sk_test_leasehold',
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
        STRIPE_API_URL: fake.url,
        LEASEHOLD_BILLING_GRACE_DAYS: '3',
      },
    });
    productId = expectStatus(await h.admin('POST', '/products', { code: 'coditect', name: 'CODITECT' }), 201).id;
    teamPlan = expectStatus(
      await h.admin('POST', '/plans', { productId, code: 'team', name: 'Team', stripePriceId: 'price_team', entitlements: ['team'] }),
      201,
    ).id;
    proPlan = expectStatus(await h.admin('POST', '/plans', { productId, code: 'pro', name: 'Pro', stripePriceId: 'price_pro', entitlements: ['pro'] }), 201).id;
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('checkout.session.completed creates the organisation and the license, seats = quantity, audited as stripe', async () => {
    const l = await start('sub_checkout', 'cus_new', 3);
    expect(l).toMatchObject({ planId: teamPlan, seats: 3, status: 'active', entitlements: ['team'] });
    const org = expectStatus(await h.admin('GET', `/organisations/${l.organisationId}`), 200);
    expect(org.name).toBe('Acme Ltd');
    const history = expectStatus(await h.admin('GET', `/licenses/${l.id}/billing`), 200);
    expect(history.data[0]).toMatchObject({ action: 'license.created', actorType: 'stripe' });
    expect(history.data[0].actorId).toMatch(/^evt_/);
  });

  it('reads the line items from Stripe when the checkout was not started by us', async () => {
    const payload = event(
      'checkout.session.completed',
      checkoutCompleted({ customer: 'cus_link', subscription: 'sub_link', sessionId: 'cs_line_items' }),
      now(),
    );
    expectStatus(await deliver(payload), 200);
    expect(fake.requests.some((r) => r.path === '/v1/checkout/sessions/cs_line_items/line_items')).toBe(true);
    expect((await license('sub_link'))?.seats).toBe(7);
  });

  it('subscription updates change seats, plan and status; past_due keeps working, unpaid and paused suspend, active reinstates', async () => {
    const l = await start('sub_life', 'cus_life', 2);
    const periodEnd = now() + 30 * DAY;
    const update = (status: string, quantity: number, price: string, created: number) =>
      deliver(event('customer.subscription.updated', subscription({ id: 'sub_life', customer: 'cus_life', status, price, quantity, periodEnd }), created));
    expectStatus(await update('active', 5, 'price_pro', now() + 1), 200);
    let read = expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200);
    expect(read).toMatchObject({
      seats: 5,
      planId: proPlan,
      entitlements: ['pro'],
      status: 'active',
      expiresAt: new Date((periodEnd + DAY) * 1000).toISOString(),
    });
    expectStatus(await update('past_due', 5, 'price_pro', now() + 2), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('active');
    expectStatus(await update('unpaid', 5, 'price_pro', now() + 3), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('suspended');
    expectStatus(await update('active', 5, 'price_pro', now() + 4), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('active');
    expectStatus(await update('paused', 5, 'price_pro', now() + 5), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('suspended');
    expectStatus(await update('trialing', 5, 'price_pro', now() + 6), 200);
    read = expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200);
    expect(read.status).toBe('active');
  });

  it('a quantity change is measured from its hour on: usage names the seats in force at each hour', async () => {
    const hour = 3_600_000;
    h.clock.set(new Date(Math.ceil(h.clock.now().getTime() / hour) * hour + 60_000));
    const first = h.clock.now().getTime() - 60_000;
    const l = await start('sub_seats', 'cus_seats', 2);
    h.clock.set(new Date(first + hour + 60_000));
    const sub = subscription({ id: 'sub_seats', customer: 'cus_seats', status: 'active', price: 'price_team', quantity: 6, periodEnd: now() + 30 * DAY });
    expectStatus(await deliver(event('customer.subscription.updated', sub, now())), 200);
    const range = `from=${new Date(first).toISOString()}&to=${new Date(first + 2 * hour).toISOString()}`;
    const usage = expectStatus(await h.admin('GET', `/licenses/${l.id}/usage?${range}`), 200);
    expect(usage.buckets.map((b: { seats: number }) => b.seats)).toEqual([2, 6]);
  });

  it('an administrator’s suspension is not lifted by billing', async () => {
    const l = await start('sub_admin', 'cus_admin');
    expectStatus(await h.admin('POST', `/licenses/${l.id}/suspend`, { reason: 'abuse' }), 200);
    const periodEnd = now() + 30 * DAY;
    expectStatus(
      await deliver(
        event(
          'customer.subscription.updated',
          subscription({ id: 'sub_admin', customer: 'cus_admin', status: 'active', price: 'price_team', quantity: 3, periodEnd }),
          now() + 1,
        ),
      ),
      200,
    );
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('suspended');
  });

  it('customer.subscription.deleted lets the license run to the end of the paid period, then it expires', async () => {
    const l = await start('sub_end', 'cus_end');
    const periodEnd = now() + 10 * DAY;
    expectStatus(
      await deliver(
        event(
          'customer.subscription.deleted',
          subscription({ id: 'sub_end', customer: 'cus_end', status: 'canceled', price: 'price_team', quantity: 3, periodEnd }),
          now() + 1,
        ),
      ),
      200,
    );
    const read = expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200);
    expect(read.expiresAt).toBe(new Date(periodEnd * 1000).toISOString());
    const key = expectStatus(await h.admin('POST', `/licenses/${l.id}/rotate-key`), 200).key;
    expectStatus(await h.licensing('acquire', { product: 'coditect', licenseKey: key, fingerprint: 'machine-end1' }), 200);
    h.clock.advance(10 * DAY + 1);
    const refused = await h.licensing('acquire', { product: 'coditect', licenseKey: key, fingerprint: 'machine-end2' });
    expect(refused.json().code).toBe('LICENSE_EXPIRED');
  });

  it('invoice.paid renews the expiry', async () => {
    const l = await start('sub_renew', 'cus_renew');
    const periodEnd = now() + 60 * DAY;
    expectStatus(await deliver(event('invoice.paid', invoiceFor('sub_renew', periodEnd), now() + 1)), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).expiresAt).toBe(new Date((periodEnd + DAY) * 1000).toISOString());
  });

  it('payment failure → grace → suspension → payment → reinstated, on the injected clock', async () => {
    const l = await start('sub_dunning', 'cus_dunning');
    const periodEnd = now() + 30 * DAY;
    expectStatus(await deliver(event('invoice.payment_failed', invoiceFor('sub_dunning', periodEnd), now())), 200);
    const ctx = { requestId: null, ip: null, actor: { type: 'system' as const, id: 'test' } };
    h.clock.advance(3 * DAY - 60);
    await h.services.billing.enforceGrace(ctx);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('active');
    h.clock.advance(120);
    expect(await h.services.billing.enforceGrace(ctx)).toBeGreaterThanOrEqual(1);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('suspended');
    expectStatus(await deliver(event('invoice.paid', invoiceFor('sub_dunning', periodEnd), now())), 200);
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200).status).toBe('active');
    const actions = expectStatus(await h.admin('GET', `/audit?targetId=${l.id}`), 200).data.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(['license.renewed', 'license.suspended', 'license.payment-failed']);
  });

  it('applies a redelivered event once, and two concurrent deliveries of one event once', async () => {
    const l = await start('sub_dup', 'cus_dup', 2);
    const periodEnd = now() + 30 * DAY;
    const payload = event(
      'customer.subscription.updated',
      subscription({ id: 'sub_dup', customer: 'cus_dup', status: 'active', price: 'price_team', quantity: 4, periodEnd }),
      now() + 1,
    );
    expect(expectStatus(await deliver(payload), 200).outcome).toBe('applied');
    expect(expectStatus(await deliver(payload), 200).outcome).toBe('duplicate');
    const concurrent = event('invoice.paid', invoiceFor('sub_dup', periodEnd + 30 * DAY), now() + 2);
    const answers = await Promise.all([deliver(concurrent), deliver(concurrent), deliver(concurrent)]);
    expect(answers.map((a) => a.json().outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    const history = expectStatus(await h.admin('GET', `/licenses/${l.id}/billing`), 200);
    expect(history.data.filter((e: { actorId: string }) => e.actorId === payload.id)).toHaveLength(1);
    expect(history.data.filter((e: { actorId: string }) => e.actorId === concurrent.id)).toHaveLength(1);
  });

  it('out-of-order updates leave the license in the newest state', async () => {
    const l = await start('sub_order', 'cus_order', 1);
    const periodEnd = now() + 30 * DAY;
    const newer = event(
      'customer.subscription.updated',
      subscription({ id: 'sub_order', customer: 'cus_order', status: 'active', price: 'price_pro', quantity: 9, periodEnd }),
      now() + 20,
    );
    const older = event(
      'customer.subscription.updated',
      subscription({ id: 'sub_order', customer: 'cus_order', status: 'unpaid', price: 'price_team', quantity: 4, periodEnd }),
      now() + 10,
    );
    expect(expectStatus(await deliver(newer), 200).outcome).toBe('applied');
    expect(expectStatus(await deliver(older), 200).outcome).toBe('stale');
    expect(expectStatus(await h.admin('GET', `/licenses/${l.id}`), 200)).toMatchObject({ seats: 9, planId: proPlan, status: 'active' });
  });

  it('reports a price with no plan clearly instead of guessing', async () => {
    const answer = expectStatus(
      await deliver(
        event(
          'checkout.session.completed',
          checkoutCompleted({ customer: 'cus_unmapped', subscription: 'sub_unmapped', metadata: { priceId: 'price_unknown', quantity: '2' } }),
          now(),
        ),
      ),
      200,
    );
    expect(answer.outcome).toBe('unmapped-price');
    const audit = expectStatus(await h.admin('GET', '/audit?action=billing.price-unmapped'), 200);
    expect(audit.data[0]).toMatchObject({ targetId: 'price_unknown', actorType: 'stripe' });
  });

  it('acknowledges unknown event types without effect', async () => {
    const before = await snapshot(h);
    const answer = expectStatus(await deliver(event('customer.created', { id: 'cus_x', object: 'customer' }, now())), 200);
    expect(answer.outcome).toBe('ignored');
    // Only the event ledger moved.
    const after = await snapshot(h);
    expect(after.split('\n').slice(0, -1)).toEqual(before.split('\n').slice(0, -1));
  });

  describe('refused deliveries change nothing', () => {
    const payload = () =>
      event(
        'customer.subscription.updated',
        subscription({ id: 'sub_checkout', customer: 'cus_new', status: 'unpaid', price: 'price_team', quantity: 1, periodEnd: now() + DAY }),
        now() + 100,
      );
    const cases: [string, () => Promise<{ statusCode: number; json(): { code: string } }>][] = [
      ['a tampered body', () => deliver(payload(), { body: JSON.stringify({ ...payload(), type: 'invoice.paid' }) })],
      ['the wrong secret', () => deliver(payload(), { secret: 'whsec_wrong_secret' })],
      ['a stale timestamp', () => deliver(payload(), { timestamp: now() - 301 })],
      ['no signature header', () => deliver(payload(), { header: null })],
      ['a signed body that is not an event', () => deliver({ hello: 'world' })],
      ['a malformed subscription', () => deliver(event('customer.subscription.updated', { id: 'sub_checkout', status: 'active' }, now() + 100))],
    ];
    for (const [name, send] of cases) {
      it(name, async () => {
        const before = await snapshot(h);
        const answer = await send();
        // The README promises 400 for every one of these, an unsigned delivery included.
        expect(answer.statusCode).toBe(400);
        expect(answer.json().code).toBe('VALIDATION_FAILED');
        expect(await snapshot(h)).toBe(before);
      });
    }

    it('accepts the previous secret while the endpoint rotates', async () => {
      expectStatus(await deliver(event('customer.created', { id: 'cus_y' }, now()), { secret: PREVIOUS }), 200);
    });
  });

  describe('self-serve', () => {
    it('creates a Checkout session through the official client with the plan, quantity and organisation', async () => {
      const org = expectStatus(await h.admin('POST', '/organisations', { name: 'Buyer' }), 201);
      const answer = expectStatus(
        await h.admin('POST', `/organisations/${org.id}/billing/checkout`, { planId: teamPlan, quantity: 4, email: 'boss@buyer.test' }),
        200,
      );
      expect(answer.url).toBe('https://checkout.stripe.test/c/cs_test_1');
      const sent = fake.requests.find((r) => r.path === '/v1/checkout/sessions' && r.form.get('client_reference_id') === org.id);
      expect(sent?.form.get('line_items[0][price]')).toBe('price_team');
      expect(sent?.form.get('line_items[0][quantity]')).toBe('4');
      expect(sent?.form.get('metadata[planId]')).toBe(teamPlan);
      expect(sent?.form.get('customer_email')).toBe('boss@buyer.test');
      expect((await h.admin('POST', `/organisations/${org.id}/billing/portal`)).json().code).toBe('INVALID_STATE');
    });

    it('opens the customer portal for an organisation that pays', async () => {
      const l = await start('sub_portal', 'cus_portal');
      const answer = expectStatus(await h.admin('POST', `/organisations/${l.organisationId}/billing/portal`), 200);
      expect(answer.url).toBe('https://billing.stripe.test/p/cus_portal');
    });
  });
});
