import type { WebhookEventType } from '@leasehold/protocol/schemas';
import type { AuditContent } from '../repositories/audit-repository.js';

/**
 * The one map from audit actions to webhook event types: an audit action not named
 * here is not sent. Every change is audited in its own transaction, so the audit chain
 * is the outbox, and this map decides what of it leaves the building.
 */
const EVENT_OF_ACTION: Record<string, WebhookEventType> = {
  'license.created': 'license.created',
  'license.updated': 'license.updated',
  'license.suspended': 'license.suspended',
  'license.reinstated': 'license.reinstated',
  'license.revoked': 'license.revoked',
  'license.renewed': 'license.renewed',
  'license.expired': 'license.expired',
  'license.key-rotated': 'license.key-rotated',
  'license.expiring-soon': 'license.expiring-soon',
  'license.grace-ending': 'billing.grace-ending',
  'license.billing-updated': 'billing.subscription-changed',
  'license.payment-failed': 'billing.payment-failed',
  'seat.granted': 'seat.granted',
  'seat.reacquired': 'seat.granted',
  'seat.denied': 'seat.denied',
  'seat.released': 'seat.released',
  'seat.force-released': 'seat.released',
  'seat.ended': 'seat.released',
  'seat.expired': 'seat.expired',
  'membership.created': 'member.added',
  'membership.removed': 'member.removed',
  'membership.left': 'member.removed',
  'membership.role_changed': 'member.role-changed',
  'invitation.created': 'invitation.created',
  'invitation.accepted': 'invitation.accepted',
  'invitation.revoked': 'invitation.revoked',
  'api-key.created': 'api-key.created',
  'api-key.revoked': 'api-key.revoked',
};

/** The audit actions that become events, for the dispatcher's query. */
export const SENT_ACTIONS = Object.keys(EVENT_OF_ACTION);

/** A license is near capacity once its seats in use reach this share of its seats. */
const NEAR_CAPACITY = 0.8;

/**
 * The event types an audit event becomes: the one its action maps to, and `seat.near-capacity`
 * beside the grant of a new seat that brings the license to 80 % of its seats (rounded up).
 */
export function eventTypesOf(event: Pick<AuditFacts, 'action' | 'data'>): WebhookEventType[] {
  const type = EVENT_OF_ACTION[event.action];
  if (!type) return [];
  const { seatsUsed, seatsTotal, sharedSeat } = event.data;
  const reachesNearCapacity =
    event.action === 'seat.granted' && sharedSeat === false && typeof seatsTotal === 'number' && seatsUsed === Math.ceil(seatsTotal * NEAR_CAPACITY);
  return reachesNearCapacity ? [type, 'seat.near-capacity'] : [type];
}

/** What a webhook's `data` says: the audit event's facts, without who asked from where. */
export type AuditFacts = Omit<AuditContent, 'requestId' | 'ip'>;

/** The license an event is about, if any: deliveries of one license go out in order. */
export function licenseOf(event: Pick<AuditFacts, 'targetType' | 'targetId' | 'data'>): string | null {
  if (event.targetType === 'license' && event.targetId) return event.targetId;
  return typeof event.data.licenseId === 'string' ? event.data.licenseId : null;
}

/** The body sent, in the Standard Webhooks shape: `type`, `timestamp`, `data`. */
export function webhookPayload(type: WebhookEventType, event: AuditFacts): string {
  const { clock: _clock, ...facts } = event.data;
  return JSON.stringify({
    type,
    timestamp: event.at.toISOString(),
    data: {
      eventId: event.id,
      organisationId: event.organisationId,
      licenseId: licenseOf(event),
      targetType: event.targetType,
      targetId: event.targetId,
      actor: { type: event.actorType, id: event.actorId },
      details: facts,
    },
  });
}
