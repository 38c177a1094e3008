import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStripe {
  url: string;
  /** The form bodies Stripe's client sent, by path. */
  requests: { method: string; path: string; form: URLSearchParams }[];
  close(): Promise<void>;
}

/**
 * A local stand-in for the three Stripe endpoints billing calls, at the HTTP
 * level, so the official client is exercised for real: create a Checkout
 * session, list its line items, create a portal session.
 */
export async function startFakeStripe(lineItems: Record<string, { price: string; quantity: number }>): Promise<FakeStripe> {
  const requests: FakeStripe['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] as string;
      const form = new URLSearchParams(body);
      requests.push({ method: req.method ?? '', path, form });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== 'Bearer sk_test_leasehold') return send(401, { error: { type: 'invalid_request_error', message: 'bad key' } });
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        return send(200, { id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.test/c/cs_test_1', mode: form.get('mode') });
      }
      if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
        return send(200, { id: 'bps_1', object: 'billing_portal.session', url: `https://billing.stripe.test/p/${form.get('customer')}` });
      }
      const items = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(path);
      if (req.method === 'GET' && items?.[1]) {
        const item = lineItems[items[1]];
        return send(200, {
          object: 'list',
          has_more: false,
          data: item ? [{ id: 'li_1', object: 'item', price: { id: item.price, object: 'price' }, quantity: item.quantity }] : [],
        });
      }
      send(404, { error: { type: 'invalid_request_error', message: `no route ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
