import { z } from 'zod';
import { id, page, pageQueryOf, timestamp } from './common.js';
import { EXAMPLE_IDS, EXAMPLE_TIMES } from './examples.js';

/**
 * The events Leasehold sends to webhook endpoints. Each is named `<subject>.<what happened>`;
 * the server maps its audit actions onto these in one place.
 */
export const WEBHOOK_EVENT_TYPES = [
  'license.created',
  'license.updated',
  'license.suspended',
  'license.reinstated',
  'license.revoked',
  'license.renewed',
  'license.expired',
  'license.key-rotated',
  'license.expiring-soon',
  'seat.granted',
  'seat.denied',
  'seat.released',
  'seat.expired',
  'seat.near-capacity',
  'billing.subscription-changed',
  'billing.payment-failed',
  'billing.grace-ending',
  'member.added',
  'member.removed',
  'member.role-changed',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'api-key.created',
  'api-key.revoked',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({
  id: 'WebhookEventType',
  description: 'A kind of event a webhook endpoint can receive (see the `webhooks` section of this document).',
});

const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EXAMPLE_URL = 'https://crm.acme.example/hooks/leasehold';

const url = z
  .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
  .max(2000)
  .describe('Where events are POSTed. Private, loopback and link-local addresses are refused.')
  .meta({ examples: [EXAMPLE_URL] });
const eventTypes = z
  .array(webhookEventType)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .describe('The event types to send.')
  .meta({ examples: [['license.created', 'license.suspended', 'seat.denied']] });
const description = z
  .string()
  .trim()
  .max(500)
  .describe('What the endpoint is for.')
  .meta({ examples: ['CRM provisioning'] });

export const webhookEndpointStatus = z.enum(['enabled', 'disabled']).meta({
  id: 'WebhookEndpointStatus',
  description: '`disabled` endpoints receive nothing: set by a person, or by the server after a day of failed deliveries.',
});

const endpointFields = {
  id: id('webhookEndpoint').describe('The webhook endpoint.'),
  organisationId: id('organisation')
    .nullable()
    .describe("When set, the endpoint receives only this organisation's events; null receives every organisation's."),
  url,
  description,
  eventTypes,
  status: webhookEndpointStatus,
  disabledReason: z.string().nullable().describe('Why the endpoint was disabled, when it is.'),
  secretRotatedAt: timestamp.nullable().describe('When the secret was last rotated; the previous one signs too for 24 hours after.'),
  createdAt: timestamp.describe('When it was added.'),
  updatedAt: timestamp.describe('When it last changed.'),
};

const exampleEndpoint = {
  id: EXAMPLE_IDS.webhookEndpoint,
  organisationId: null,
  url: EXAMPLE_URL,
  description: 'CRM provisioning',
  eventTypes: ['license.created', 'license.suspended', 'seat.denied'],
  status: 'enabled',
  disabledReason: null,
  secretRotatedAt: null,
  createdAt: EXAMPLE_TIMES.created,
  updatedAt: EXAMPLE_TIMES.created,
};

export const webhookEndpoint = z
  .object(endpointFields)
  .meta({ id: 'WebhookEndpoint', description: 'A receiver of signed events (its secret is never shown again).', examples: [exampleEndpoint] });
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;

const secret = z
  .string()
  .describe('The signing secret, shown only in this answer (Standard Webhooks: `whsec_` and base64).')
  .meta({ examples: [EXAMPLE_SECRET] });

export const createdWebhookEndpoint = z.object({ ...endpointFields, secret }).meta({
  id: 'CreatedWebhookEndpoint',
  description: 'A webhook endpoint with its signing secret, shown this once.',
  examples: [{ ...exampleEndpoint, secret: EXAMPLE_SECRET }],
});

const createFields = { url, eventTypes, description: description.optional() };

/** The vendor's form: an endpoint for every organisation, or for one. */
export const createWebhookEndpoint = z
  .strictObject({
    ...createFields,
    organisationId: id('organisation').nullable().optional().describe("Only this organisation's events; omitted or null: every organisation's."),
  })
  .meta({ id: 'CreateWebhookEndpoint', description: 'A webhook endpoint to add.', examples: [{ url: EXAMPLE_URL, eventTypes: ['license.created'] }] });

/** An organisation's own form: its endpoints receive only its events. */
export const createOrgWebhookEndpoint = z.strictObject(createFields).meta({
  id: 'CreateOrgWebhookEndpoint',
  description: 'A webhook endpoint for the organisation’s own events.',
  examples: [{ url: EXAMPLE_URL, eventTypes: ['seat.denied'] }],
});

export const updateWebhookEndpoint = z
  .strictObject({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    status: webhookEndpointStatus.optional().describe('`enabled` resumes deliveries (pending ones are retried at once); `disabled` pauses them.'),
  })
  .meta({ id: 'UpdateWebhookEndpoint', description: 'The fields to change.', examples: [{ status: 'enabled' }] });

export const webhookEndpointPage = page(webhookEndpoint).meta({ id: 'WebhookEndpointPage', description: 'A page of webhook endpoints.' });
export const webhookEndpointQuery = pageQueryOf('webhookEndpoint');

export const webhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']).meta({
  id: 'WebhookDeliveryStatus',
  description: '`pending` is waiting for its next attempt (or for an earlier event of the same license); `failed` gave up after every attempt.',
});

export const webhookAttempt = z
  .object({
    attempt: z.number().int().describe('1 for the first attempt, counting from the last redelivery.'),
    at: timestamp.describe('When the attempt was made.'),
    statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when no answer came."),
    latencyMs: z.number().int().describe('How long the attempt took.'),
    error: z.string().nullable().describe('Why it failed, when it did.'),
  })
  .meta({ id: 'WebhookAttempt', description: 'One attempt at a delivery.' });

const deliveryFields = {
  id: id('webhookDelivery').describe('The delivery.'),
  endpointId: id('webhookEndpoint').describe('The endpoint it goes to.'),
  eventId: id('auditEvent').describe('The audit event it comes from.'),
  webhookId: z
    .string()
    .describe('The `webhook-id` sent, the same on every attempt (deduplicate on it): the event ID, with `.near-capacity` for that event derived from a grant.')
    .meta({ examples: [EXAMPLE_IDS.auditEvent] }),
  eventType: webhookEventType,
  status: webhookDeliveryStatus,
  attempts: z.number().int().describe('Attempts made since it was created or last redelivered.'),
  lastStatusCode: z.number().int().nullable().describe("The receiver's HTTP status at the last attempt."),
  lastLatencyMs: z.number().int().nullable().describe('How long the last attempt took.'),
  lastError: z.string().nullable().describe('Why the last attempt failed.'),
  nextAttemptAt: timestamp.nullable().describe('When it is tried next, while pending.'),
  deliveredAt: timestamp.nullable().describe('When the receiver accepted it (a 2xx).'),
  createdAt: timestamp.describe('When the event was fanned out to this endpoint.'),
};

const exampleDelivery = {
  id: EXAMPLE_IDS.webhookDelivery,
  endpointId: EXAMPLE_IDS.webhookEndpoint,
  eventId: EXAMPLE_IDS.auditEvent,
  webhookId: EXAMPLE_IDS.auditEvent,
  eventType: 'license.created',
  status: 'delivered',
  attempts: 1,
  lastStatusCode: 204,
  lastLatencyMs: 87,
  lastError: null,
  nextAttemptAt: null,
  deliveredAt: EXAMPLE_TIMES.created,
  createdAt: EXAMPLE_TIMES.created,
};

export const webhookDelivery = z
  .object(deliveryFields)
  .meta({ id: 'WebhookDelivery', description: 'One event on its way to one endpoint.', examples: [exampleDelivery] });
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

export const webhookDeliveryDetail = z
  .object({
    ...deliveryFields,
    payload: z.string().describe('The exact body sent (and signed).'),
    log: z.array(webhookAttempt).describe('Every attempt, oldest first.'),
  })
  .meta({ id: 'WebhookDeliveryDetail', description: 'A delivery with its body and every attempt.' });

export const webhookDeliveryPage = page(webhookDelivery).meta({ id: 'WebhookDeliveryPage', description: 'A page of deliveries, newest first.' });
export const webhookDeliveryQuery = z.object({
  ...pageQueryOf('webhookDelivery').shape,
  status: webhookDeliveryStatus.optional().describe('Only deliveries in this state.'),
});

export const deletedWebhookEndpoint = z
  .object({ deleted: z.literal(true).describe('The endpoint and its deliveries are gone.') })
  .meta({ id: 'DeletedWebhookEndpoint', description: 'The endpoint was deleted.', examples: [{ deleted: true }] });
