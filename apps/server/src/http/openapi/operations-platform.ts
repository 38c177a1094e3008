import type { OperationDoc } from './operation-doc.js';

/** Health, readiness and metrics, and Stripe's webhook. */
export const PLATFORM_OPERATIONS: Record<string, OperationDoc> = {
  'GET /healthz': {
    operationId: 'checkLiveness',
    description: 'Liveness: the process answers. Dependencies are checked by readiness, so an outage of the database does not restart every replica.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
  },
  'GET /readyz': {
    operationId: 'checkReadiness',
    description: 'Readiness: every dependency (database, Redis) answers within 2 s and the server is not shutting down. 503 names what is unreachable.',
    errors: ['VALIDATION_FAILED', 'SERVICE_UNAVAILABLE'],
    security: [{}],
  },
  'GET /metrics': {
    operationId: 'getMetrics',
    description:
      'Prometheus metrics: request latency by route, seats in use and total per license, denials, expiries, whether each dependency is reachable, signing errors. Gauges are kept by a background refresh, so a scrape never waits on PostgreSQL or Redis. With `LEASEHOLD_METRICS_PORT` set, served on that port instead of here.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
    responses: {
      200: {
        description: 'The Prometheus text exposition format.',
        content: {
          'text/plain': {
            schema: {
              type: 'string',
              examples: ['# HELP leasehold_seats_in_use Seats held now\nleasehold_seats_in_use{license_id="lic_01jf3k9z8y7x6w5v4t3s2r1q0p"} 3\n'],
            },
          },
        },
      },
    },
  },
  'POST /webhooks/stripe': {
    operationId: 'receiveStripeEvent',
    description:
      'Stripe’s webhook deliveries. The `Stripe-Signature` header is checked over the raw body (5 minutes tolerance, the previous secret too while rolling it); an unsigned, stale, wrongly signed or malformed delivery gets 400 and changes nothing. ' +
      'Each event ID is applied once, in the same transaction as its effect, and an out-of-order event never moves a license back.',
    errors: ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SERVICE_UNAVAILABLE'],
    security: [{}],
    parameters: [
      {
        name: 'Stripe-Signature',
        in: 'header',
        required: true,
        description: 'Stripe’s signature of the raw body: `t=<unix seconds>,v1=<hex HMAC-SHA256 with the endpoint secret>`.',
        schema: { type: 'string', examples: ['t=1893834000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'] },
      },
    ],
    requestBody: {
      required: true,
      description: 'The event, exactly as Stripe sent it.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/StripeEvent' } } },
    },
    responses: {
      200: {
        description: 'The event is recorded: Stripe stops retrying.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/StripeWebhookAck' } } },
      },
    },
  },
};
