import { EXAMPLE_IDS, EXAMPLE_TIMES, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@leasehold/protocol/schemas';
import type { OpenApiFragment } from './operation-doc.js';

/** What each event means, and the `details` it carries (the facts the audit event recorded). */
const EVENTS: Record<WebhookEventType, { summary: string; details: Record<string, unknown>; license?: false }> = {
  'license.created': { summary: 'A license was issued', details: { planId: EXAMPLE_IDS.plan, seats: 5, expiresAt: EXAMPLE_TIMES.licenseExpires } },
  'license.updated': { summary: 'A license’s terms changed', details: { changes: { seats: 10 } } },
  'license.suspended': { summary: 'A license was suspended', details: { from: 'active', to: 'suspended', reason: 'Invoice overdue' } },
  'license.reinstated': { summary: 'A suspended license is active again', details: { from: 'suspended', to: 'active', reason: null } },
  'license.revoked': { summary: 'A license was revoked for good', details: { from: 'active', to: 'revoked', reason: 'Contract ended' } },
  'license.renewed': {
    summary: 'A license’s expiry moved',
    details: { from: EXAMPLE_TIMES.licenseExpires, to: '2032-01-01T00:00:00.000Z', previousStatus: 'active' },
  },
  'license.expired': { summary: 'A license reached its expiry', details: { expiresAt: EXAMPLE_TIMES.licenseExpires } },
  'license.key-rotated': { summary: 'A license got a new key (the old one stopped working)', details: {} },
  'license.expiring-soon': {
    summary: 'A license expires within the reminder window (once per expiry date)',
    details: { expiresAt: EXAMPLE_TIMES.licenseExpires, daysLeft: 7 },
  },
  'seat.granted': {
    summary: 'A program took a seat (or resumed one after its lease ran out)',
    details: { basis: 'machine', sharedSeat: false, overage: false, seatsUsed: 3, seatsTotal: 5, hostname: 'alice-laptop', fingerprint: '3f1c9a0e5d7b2c4a' },
  },
  'seat.denied': { summary: 'A program was refused a seat', details: { code: 'NO_SEAT_AVAILABLE', used: 5, total: 5, fingerprint: '3f1c9a0e5d7b2c4a' } },
  'seat.released': { summary: 'A seat was given back, force-released, or ended with its license', details: { heldSeconds: 5400 } },
  'seat.expired': { summary: 'A seat’s lease ran out without a heartbeat', details: { expiredAt: EXAMPLE_TIMES.leaseExpires } },
  'seat.near-capacity': {
    summary: 'A grant brought a license to 80 % of its seats (rounded up)',
    details: { basis: 'machine', sharedSeat: false, overage: false, seatsUsed: 4, seatsTotal: 5, hostname: 'alice-laptop', fingerprint: '3f1c9a0e5d7b2c4a' },
  },
  'billing.subscription-changed': {
    summary: 'A Stripe subscription changed the license (seats, plan, state or period)',
    details: { eventId: 'evt_1QxStripeExample', subscriptionStatus: 'active', seats: 10 },
  },
  'billing.payment-failed': {
    summary: 'A payment failed: the grace period started',
    details: { eventId: 'evt_1QxStripeExample', graceUntil: '2030-01-08T09:00:00.000Z' },
  },
  'billing.grace-ending': {
    summary: 'The grace after a failed payment ends within a day: the license is suspended then without a payment',
    details: { paymentFailedAt: EXAMPLE_TIMES.created, graceUntil: '2030-01-08T09:00:00.000Z' },
  },
  'member.added': { summary: 'Someone joined an organisation', details: { role: 'member' }, license: false },
  'member.removed': { summary: 'Someone left or was removed from an organisation', details: { role: 'member' }, license: false },
  'member.role-changed': { summary: 'A member’s role changed', details: { role: 'admin' }, license: false },
  'invitation.created': { summary: 'Someone was invited to an organisation', details: { role: 'member', email: 'bob@acme.example' }, license: false },
  'invitation.accepted': { summary: 'An invitation was accepted', details: { userId: EXAMPLE_IDS.user, role: 'member' }, license: false },
  'invitation.revoked': { summary: 'An invitation was revoked', details: {}, license: false },
  'api-key.created': { summary: 'An API key was created', details: { name: 'Billing back office', scopes: ['licenses:read'] }, license: false },
  'api-key.revoked': { summary: 'An API key was revoked', details: { name: 'Billing back office' }, license: false },
};

const TARGETS: Record<string, [string, string]> = {
  license: ['license', EXAMPLE_IDS.license],
  seat: ['session', EXAMPLE_IDS.session],
  billing: ['license', EXAMPLE_IDS.license],
  member: ['user', EXAMPLE_IDS.user],
  invitation: ['invitation', EXAMPLE_IDS.invitation],
  'api-key': ['api-key', EXAMPLE_IDS.apiKey],
};

function actorOf(type: WebhookEventType): { type: string; id: string } {
  if (type === 'license.expiring-soon' || type === 'billing.grace-ending') return { type: 'system', id: 'reaper' };
  if (type.startsWith('billing.')) return { type: 'stripe', id: 'evt_1QxStripeExample' };
  if (type.startsWith('seat.')) return { type: 'license-key', id: EXAMPLE_IDS.license };
  return { type: 'api-key', id: EXAMPLE_IDS.apiKey };
}

function example(type: WebhookEventType): OpenApiFragment {
  const event = EVENTS[type];
  const [targetType, targetId] = TARGETS[type.split('.')[0] as string] as [string, string];
  return {
    type,
    timestamp: EXAMPLE_TIMES.updated,
    data: {
      eventId: EXAMPLE_IDS.auditEvent,
      organisationId: EXAMPLE_IDS.organisation,
      licenseId: event.license === false ? null : EXAMPLE_IDS.license,
      targetType,
      targetId,
      actor: actorOf(type),
      details: event.details,
    },
  };
}

const header = (name: string, description: string, example: string): OpenApiFragment => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string', examples: [example] },
});

const SIGNATURE_HEADERS = [
  header('webhook-id', 'The event’s ID, the same on every attempt and to every endpoint: deduplicate on it.', EXAMPLE_IDS.auditEvent),
  header('webhook-timestamp', 'When this attempt was signed, in seconds since 1970; refuse one far from your clock (5 minutes).', '1893488400'),
  header(
    'webhook-signature',
    '`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the base64-decoded part of the secret after `whsec_`. Space-separated when two secrets sign (for 24 hours after a rotation): accept the request if any one matches.',
    'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  ),
];

/** The schema of every webhook body (Standard Webhooks: `type`, `timestamp`, `data`). */
export const WEBHOOK_EVENT_SCHEMA: OpenApiFragment = {
  type: 'object',
  description: 'An event Leasehold sends to a webhook endpoint, signed in the Standard Webhooks format.',
  required: ['type', 'timestamp', 'data'],
  properties: {
    type: { $ref: '#/components/schemas/WebhookEventType' },
    timestamp: { type: 'string', format: 'date-time', description: 'When it happened.' },
    data: {
      type: 'object',
      description: 'What happened, to what, and who did it.',
      required: ['eventId', 'organisationId', 'licenseId', 'targetType', 'targetId', 'actor', 'details'],
      properties: {
        eventId: { type: 'string', description: 'The audit event it comes from (also the `webhook-id`).' },
        organisationId: { type: ['string', 'null'], description: 'The organisation it concerns, if any.' },
        licenseId: { type: ['string', 'null'], description: 'The license it concerns, if any: events of one license arrive in order.' },
        targetType: { type: ['string', 'null'], description: 'What kind of thing changed: `license`, `session`, `user`, `invitation`, `api-key`.' },
        targetId: { type: ['string', 'null'], description: 'Its ID.' },
        actor: {
          type: 'object',
          description: 'Who made the change.',
          required: ['type', 'id'],
          properties: {
            type: { type: 'string', description: '`api-key`, `user`, `license-key`, `session`, `stripe` or `system`.' },
            id: { type: ['string', 'null'], description: 'Their ID.' },
          },
        },
        details: { type: 'object', description: 'The facts of this kind of event, as the audit log recorded them.', additionalProperties: true },
      },
    },
  },
  examples: [example('license.created')],
};

/** The document's `webhooks`: one entry per event type, with an example body. */
export function webhookDocs(): OpenApiFragment {
  return Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `on${type.replace(/(^|[.-])([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`,
          tags: ['webhooks'],
          summary: EVENTS[type].summary,
          description: `Sent as \`${type}\` to endpoints that subscribe to it. Answer any 2xx within 10 s; anything else (a redirect included) is retried with backoff for about a day, then the endpoint is disabled.`,
          parameters: SIGNATURE_HEADERS,
          security: [{ webhookSignature: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' }, examples: { [type]: { value: example(type) } } } },
          },
          responses: {
            '200': { description: 'Received (any 2xx will do).' },
            '400': { description: 'Refused (a wrong signature, say): the delivery is retried.' },
          },
        },
      },
    ]),
  );
}
