import type { OperationDoc } from './operation-doc.js';
import { ADMIN_CHANGE, ADMIN_ONE, ADMIN_READ, ADMIN_WRITE, MEMBER, MEMBER_WRITE } from './operation-parts.js';

const ADMIN_PATH = '/api/v1/admin/webhook-endpoints';
const ORG_PATH = '/api/v1/orgs/{orgId}/webhook-endpoints';

/** Outgoing webhooks: the vendor's endpoints under /admin, an organisation's own under /orgs. */
export const WEBHOOK_OPERATIONS: Record<string, OperationDoc> = {
  [`POST ${ADMIN_PATH}`]: {
    operationId: 'createWebhookEndpoint',
    description:
      "Adds an endpoint that receives the chosen event types, signed in the Standard Webhooks format: every organisation's events, or one's (`organisationId`; a key bound to an organisation always gets its own). The answer holds the signing secret, shown this once.",
    errors: [...ADMIN_WRITE, 'NOT_FOUND'],
    rateLimited: true,
  },
  [`GET ${ADMIN_PATH}`]: {
    operationId: 'listWebhookEndpoints',
    description: 'Every endpoint the key may see, a page at a time.',
    errors: ADMIN_READ,
    rateLimited: true,
  },
  [`GET ${ADMIN_PATH}/{id}`]: {
    operationId: 'getWebhookEndpoint',
    description: 'One endpoint by ID (without its secret).',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  [`PATCH ${ADMIN_PATH}/{id}`]: {
    operationId: 'updateWebhookEndpoint',
    description: 'Changes the URL, event types or description, or disables and enables it. Enabling sends what waited at once.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  [`DELETE ${ADMIN_PATH}/{id}`]: {
    operationId: 'deleteWebhookEndpoint',
    description: 'Deletes the endpoint and its delivery log.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  [`POST ${ADMIN_PATH}/{id}/rotate-secret`]: {
    operationId: 'rotateWebhookSecret',
    description:
      'Issues a new signing secret, shown this once. For 24 hours both secrets sign every delivery (two `v1,` signatures), so the receiver can switch without losing one.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  [`GET ${ADMIN_PATH}/{id}/deliveries`]: {
    operationId: 'listWebhookDeliveries',
    description: 'The delivery log, newest first: status, attempts, the last response code, latency and error.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  [`GET ${ADMIN_PATH}/{id}/deliveries/{deliveryId}`]: {
    operationId: 'getWebhookDelivery',
    description: 'One delivery with the exact body sent and every attempt.',
    errors: ADMIN_ONE,
    rateLimited: true,
  },
  [`POST ${ADMIN_PATH}/{id}/deliveries/{deliveryId}/redeliver`]: {
    operationId: 'redeliverWebhook',
    description: 'Sends a delivery again now with a fresh set of attempts, whatever its state. The `webhook-id` stays the same.',
    errors: ADMIN_CHANGE,
    rateLimited: true,
  },
  [`POST ${ORG_PATH}`]: {
    operationId: 'createOrgWebhookEndpoint',
    description: "Owners and admins add an endpoint for the organisation's own events. The answer holds the signing secret, shown this once.",
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  [`GET ${ORG_PATH}`]: {
    operationId: 'listOrgWebhookEndpoints',
    description: 'The organisation’s endpoints (owners and admins).',
    errors: MEMBER,
    rateLimited: true,
  },
  [`GET ${ORG_PATH}/{endpointId}`]: {
    operationId: 'getOrgWebhookEndpoint',
    description: 'One of the organisation’s endpoints.',
    errors: MEMBER,
    rateLimited: true,
  },
  [`PATCH ${ORG_PATH}/{endpointId}`]: {
    operationId: 'updateOrgWebhookEndpoint',
    description: 'Changes one of the organisation’s endpoints.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  [`DELETE ${ORG_PATH}/{endpointId}`]: {
    operationId: 'deleteOrgWebhookEndpoint',
    description: 'Deletes one of the organisation’s endpoints and its log.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  [`POST ${ORG_PATH}/{endpointId}/rotate-secret`]: {
    operationId: 'rotateOrgWebhookSecret',
    description: 'A new signing secret, shown this once; the previous one signs beside it for 24 hours.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
  [`GET ${ORG_PATH}/{endpointId}/deliveries`]: {
    operationId: 'listOrgWebhookDeliveries',
    description: 'The delivery log of one of the organisation’s endpoints, newest first.',
    errors: MEMBER,
    rateLimited: true,
  },
  [`GET ${ORG_PATH}/{endpointId}/deliveries/{deliveryId}`]: {
    operationId: 'getOrgWebhookDelivery',
    description: 'One delivery of the organisation’s endpoint, with the exact body sent and every attempt.',
    errors: MEMBER,
    rateLimited: true,
  },
  [`POST ${ORG_PATH}/{endpointId}/deliveries/{deliveryId}/redeliver`]: {
    operationId: 'redeliverOrgWebhook',
    description: 'Sends a delivery of the organisation’s endpoint again now, with a fresh set of attempts.',
    errors: MEMBER_WRITE,
    rateLimited: true,
  },
};
