import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One schema for PGlite (embedded) and PostgreSQL. IDs are prefixed text
 * (`lic_…`); times are timestamptz; secrets are stored only as SHA-256 hashes.
 */
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull();
const ts = (name: string) => timestamp(name, { withTimezone: true });

export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  /** The Stripe customer that pays for this organisation's subscriptions. */
  stripeCustomerId: text('stripe_customer_id').unique('organisations_stripe_customer_key'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email'),
    emailVerified: boolean('email_verified').notNull().default(false),
    name: text('name'),
    /** Vendor staff: signed in, they use the dashboard's vendor views like an admin API key. */
    staff: boolean('staff').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const memberships = pgTable(
  'memberships',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('memberships_org_user_key').on(t.organisationId, t.userId),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
);

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique('products_code_key'),
  name: text('name').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const plans = pgTable(
  'plans',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    seats: integer('seats').notNull(),
    seatBasis: text('seat_basis', { enum: ['session', 'machine', 'user'] }).notNull(),
    leaseTtlSeconds: integer('lease_ttl_seconds').notNull(),
    heartbeatIntervalSeconds: integer('heartbeat_interval_seconds').notNull(),
    offlineGraceSeconds: integer('offline_grace_seconds').notNull(),
    maxBorrowSeconds: integer('max_borrow_seconds').notNull(),
    maxQueueWaitSeconds: integer('max_queue_wait_seconds').notNull().default(600),
    lingerSeconds: integer('linger_seconds').notNull().default(0),
    queuePriorities: boolean('queue_priorities').notNull().default(false),
    overage: integer('overage').notNull(),
    entitlements: jsonb('entitlements').$type<string[]>().notNull(),
    durationDays: integer('duration_days'),
    stripePriceId: text('stripe_price_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('plans_product_code_key').on(t.productId, t.code),
    uniqueIndex('plans_stripe_price_key').on(t.stripePriceId),
    check('plans_seat_basis_check', sql`${t.seatBasis} in ('session', 'machine', 'user')`),
    check('plans_seats_check', sql`${t.seats} > 0 and ${t.overage} >= 0`),
  ],
);

export const licenses = pgTable(
  'licenses',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    keyHash: text('key_hash').notNull().unique('licenses_key_hash_key'),
    keyHint: text('key_hint').notNull(),
    status: text('status', { enum: ['active', 'suspended', 'expired', 'revoked'] }).notNull(),
    seatsOverride: integer('seats_override'),
    overageOverride: integer('overage_override'),
    entitlementsOverride: jsonb('entitlements_override').$type<string[]>(),
    expiresAt: ts('expires_at'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** Who suspended it: billing lifts only its own suspensions. */
    suspensionReason: text('suspension_reason', { enum: ['admin', 'billing'] }),
    /** The Stripe subscription this license is sold under, when billed through Stripe. */
    stripeSubscriptionId: text('stripe_subscription_id').unique('licenses_stripe_subscription_key'),
    billingStatus: text('billing_status'),
    /** The Stripe time of the newest subscription state applied, so older events never win. */
    billingStateAt: ts('billing_state_at'),
    /** When payment first failed; suspension follows after the configured grace. */
    paymentFailedAt: ts('payment_failed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('licenses_org_idx').on(t.organisationId, t.id),
    index('licenses_product_idx').on(t.productId, t.id),
    index('licenses_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'active'`),
    check('licenses_status_check', sql`${t.status} in ('active', 'suspended', 'expired', 'revoked')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    licenseId: text('license_id')
      .notNull()
      .references(() => licenses.id),
    organisationId: text('organisation_id').notNull(),
    userId: text('user_id'),
    /** What one seat counts for this session: its own ID, its fingerprint or its user. */
    basisKey: text('basis_key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    fingerprintComponents: jsonb('fingerprint_components').$type<Record<string, string>>(),
    secretHash: text('secret_hash').notNull(),
    idempotencyKey: text('idempotency_key'),
    hostname: text('hostname'),
    platform: text('platform'),
    clientVersion: text('client_version'),
    ip: text('ip'),
    startedAt: ts('started_at').notNull(),
    lastHeartbeatAt: ts('last_heartbeat_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    borrowedUntil: ts('borrowed_until'),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
    /** The last lease token issued, returned again by heartbeats while it is fresh. */
    leaseToken: text('lease_token'),
    leaseTokenRenewAt: ts('lease_token_renew_at'),
  },
  (t) => [
    index('sessions_live_idx').on(t.licenseId, t.expiresAt).where(sql`${t.endedAt} is null`),
    index('sessions_expiry_idx').on(t.expiresAt).where(sql`${t.endedAt} is null`),
    index('sessions_org_idx').on(t.organisationId).where(sql`${t.endedAt} is null`),
    uniqueIndex('sessions_idempotency_key').on(t.licenseId, t.idempotencyKey),
  ],
);

/**
 * Acquires waiting for a seat of a license (the seat queue), and seats held back for
 * the machine that just gave them up (linger). A place is live until `lapses_at`: a
 * waiter's moves on with each poll (one heartbeat interval ahead), a linger's is fixed.
 * Seats go to live places by `priority` (highest first), then `position`; `outcome`
 * says how a place ended.
 */
export const seatWaiters = pgTable(
  'seat_waiters',
  {
    id: text('id').primaryKey(),
    licenseId: text('license_id')
      .notNull()
      .references(() => licenses.id),
    position: bigserial('position', { mode: 'number' }).notNull(),
    fingerprint: text('fingerprint').notNull(),
    hostname: text('hostname'),
    userId: text('user_id'),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    lapsesAt: timestamp('lapses_at', { withTimezone: true }).notNull().defaultNow(),
    priority: integer('priority').notNull().default(0),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    outcome: text('outcome', { enum: ['granted', 'gave-up', 'lapsed'] }),
    sessionId: text('session_id'),
  },
  (t) => [
    index('seat_waiters_queue_idx').on(t.licenseId, t.position).where(sql`${t.endedAt} is null`),
    check('seat_waiters_outcome_check', sql`${t.outcome} is null or ${t.outcome} in ('granted', 'gave-up', 'lapsed')`),
  ],
);

/**
 * The Redis seat store's fence: the epoch under which Redis may decide a license's
 * seats. A rebuild from PostgreSQL replaces it (under the row lock) before reading the
 * sessions, and every write of a Redis decision checks it under a share lock, so a
 * decision taken before a loss either committed before the rebuild read or fails.
 */
export const seatEpochs = pgTable('seat_epochs', {
  licenseId: text('license_id').primaryKey(),
  epoch: text('epoch').notNull(),
  rebuiltAt: ts('rebuilt_at').notNull(),
});

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull().unique('api_keys_secret_hash_key'),
  hint: text('hint').notNull(),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  organisationId: text('organisation_id').references(() => organisations.id),
  createdAt: createdAt(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique('audit_events_id_key'),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    organisationId: text('organisation_id'),
    targetType: text('target_type'),
    targetId: text('target_id'),
    requestId: text('request_id'),
    ip: text('ip'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_events_org_idx').on(t.organisationId, t.seq),
    index('audit_events_target_idx').on(t.targetId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    // The overview's last-24-hours counts of one action.
    index('audit_events_action_at_idx').on(t.action, t.at),
  ],
);

/** Every Stripe event applied, recorded in the same transaction as its effect: exactly once. */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** The event's own creation time at Stripe. */
    createdAt: ts('created_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    licenseId: text('license_id'),
    outcome: text('outcome').notNull(),
  },
  (t) => [index('stripe_events_license_idx').on(t.licenseId, t.createdAt)],
);

/**
 * The head of the audit hash chain: one row, locked by every append so appends
 * are serialised and the chain has no forks. Also lets verification notice rows
 * removed from the end of the chain.
 */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

// ---- Identity ---------------------------------------------------------------

/** A sign-in account at an identity provider, linked to one user. */
export const identities = pgTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** `google`, `github`, the generic OIDC provider's name, or `external` (bearer tokens of the external issuer). */
    provider: text('provider').notNull(),
    /** The provider's stable account ID (`sub`, or GitHub's numeric ID). */
    subject: text('subject').notNull(),
    email: text('email'),
    emailVerified: boolean('email_verified').notNull().default(false),
    createdAt: createdAt(),
    lastSignInAt: ts('last_sign_in_at').notNull(),
  },
  (t) => [uniqueIndex('identities_provider_subject_key').on(t.provider, t.subject), index('identities_user_idx').on(t.userId)],
);

/** An external issuer's tenant mapped to the organisation its users belong to. */
export const tenantLinks = pgTable(
  'tenant_links',
  {
    issuer: text('issuer').notNull(),
    tenant: text('tenant').notNull(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tenant_links_key').on(t.issuer, t.tenant)],
);

/**
 * Refresh tokens, stored hashed. Each use spends the token and issues the next one
 * of the same family; presenting a spent token again revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    familyId: text('family_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    clientId: text('client_id').notNull(),
    scope: text('scope').notNull(),
    tokenHash: text('token_hash').notNull().unique('refresh_tokens_token_hash_key'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId), index('refresh_tokens_user_idx').on(t.userId)],
);

/** A browser session after sign-in, carried by an HttpOnly cookie holding its secret. */
export const webSessions = pgTable(
  'web_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    secretHash: text('secret_hash').notNull().unique('web_sessions_secret_hash_key'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('web_sessions_user_idx').on(t.userId)],
);

/** An authorization-code sign-in in flight: its `state`, PKCE verifier, nonce and where to return. */
export const loginStates = pgTable('login_states', {
  id: text('id').primaryKey(),
  stateHash: text('state_hash').notNull().unique('login_states_state_hash_key'),
  provider: text('provider').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  redirectTo: text('redirect_to').notNull(),
  createdAt: createdAt(),
  expiresAt: ts('expires_at').notNull(),
  consumedAt: ts('consumed_at'),
});

/** A device authorization request (RFC 8628): the program polls with the device code, a person approves the user code. */
export const deviceCodes = pgTable(
  'device_codes',
  {
    id: text('id').primaryKey(),
    deviceCodeHash: text('device_code_hash').notNull().unique('device_codes_device_code_hash_key'),
    userCode: text('user_code').notNull(),
    clientId: text('client_id').notNull(),
    scope: text('scope').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'denied', 'consumed'] }).notNull(),
    userId: text('user_id').references(() => users.id),
    intervalSeconds: integer('interval_seconds').notNull(),
    lastPolledAt: ts('last_polled_at'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('device_codes_pending_user_code_key').on(t.userCode).where(sql`${t.status} = 'pending'`),
    check('device_codes_status_check', sql`${t.status} in ('pending', 'approved', 'denied', 'consumed')`),
  ],
);

/** An invitation to join an organisation: a single-use, expiring link whose secret is stored hashed. */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull(),
    email: text('email'),
    tokenHash: text('token_hash').notNull().unique('invitations_token_hash_key'),
    invitedBy: text('invited_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedBy: text('accepted_by').references(() => users.id),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('invitations_org_idx').on(t.organisationId, t.id), check('invitations_role_check', sql`${t.role} in ('owner', 'admin', 'member')`)],
);

/**
 * Seat usage per license and hour, rolled up from the audit chain's seat events:
 * the peak of concurrent sessions, their integral (seat-seconds, for the average) and
 * denials for want of a seat.
 */
export const seatUsageHourly = pgTable(
  'seat_usage_hourly',
  {
    licenseId: text('license_id').notNull(),
    organisationId: text('organisation_id').notNull(),
    hour: ts('hour').notNull(),
    peak: integer('peak').notNull(),
    seatSeconds: bigint('seat_seconds', { mode: 'number' }).notNull(),
    denials: integer('denials').notNull(),
  },
  (t) => [primaryKey({ columns: [t.licenseId, t.hour] }), index('seat_usage_hourly_hour_idx').on(t.hour)],
);

/** Where the rollup stands for each license: how many seats (distinct seat-basis keys) are held since when. */
export const seatUsageState = pgTable('seat_usage_state', {
  licenseId: text('license_id').primaryKey(),
  organisationId: text('organisation_id').notNull(),
  concurrent: integer('concurrent').notNull(),
  since: ts('since').notNull(),
});

/**
 * The sessions the rollup counts as live, with the seat-basis key each holds: two
 * sessions of one key (one machine, one user) take one seat, as the seat stores count.
 */
export const seatUsageHolders = pgTable(
  'seat_usage_holders',
  {
    sessionId: text('session_id').primaryKey(),
    licenseId: text('license_id').notNull(),
    basisKey: text('basis_key').notNull(),
  },
  (t) => [index('seat_usage_holders_key_idx').on(t.licenseId, t.basisKey)],
);

/**
 * The seats sold in force for each license from `since` on, written with every change
 * of a license's seats or its plan's: utilisation is measured against the seats sold
 * at that hour, not today's.
 */
export const licenseSeatHistory = pgTable(
  'license_seat_history',
  {
    licenseId: text('license_id').notNull(),
    since: ts('since').notNull(),
    seats: integer('seats').notNull(),
  },
  (t) => [primaryKey({ columns: [t.licenseId, t.since] })],
);

/** The last audit event the rollup has read. */
export const seatUsageCursor = pgTable('seat_usage_cursor', {
  id: integer('id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
});

/** A dashboard session opened with an admin API key: the browser holds the secret, we keep its hash. */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    id: text('id').primaryKey(),
    apiKeyId: text('api_key_id')
      .notNull()
      .references(() => apiKeys.id),
    secretHash: text('secret_hash').notNull().unique('admin_sessions_secret_hash_key'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('admin_sessions_key_idx').on(t.apiKeyId)],
);

// ---- Webhooks -----------------------------------------------------------------

/**
 * A receiver of signed events. Its secret signs (HMAC-SHA256, so it is kept as is,
 * not hashed); after a rotation the previous one signs too until it expires.
 * `fromSeq` is the audit sequence of its creation: it receives only later events.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id').references(() => organisations.id),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    secretRotatedAt: ts('secret_rotated_at'),
    status: text('status', { enum: ['enabled', 'disabled'] }).notNull(),
    disabledReason: text('disabled_reason'),
    fromSeq: bigint('from_seq', { mode: 'number' }).notNull(),
    lastSuccessAt: ts('last_success_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.organisationId, t.id), check('webhook_endpoints_status_check', sql`${t.status} in ('enabled', 'disabled')`)],
);

/**
 * One event on its way to one endpoint: the outbox the delivery worker drains. The
 * payload is fixed when the row is written, so every attempt sends (and signs) the same
 * bytes. `orderKey` (the license) orders deliveries: a later event of a license waits
 * while an earlier one to the same endpoint is pending.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
    eventId: text('event_id').notNull(),
    /** The `webhook-id`: the event's ID, with a suffix for a type derived from it (`.near-capacity`). */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    orderKey: text('order_key'),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastLatencyMs: integer('last_latency_ms'),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_event_key').on(t.endpointId, t.eventSeq, t.eventType),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_order_idx').on(t.endpointId, t.orderKey, t.eventSeq).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
    check('webhook_deliveries_status_check', sql`${t.status} in ('pending', 'delivered', 'failed')`),
  ],
);

/** The delivery log: one row per attempt. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    n: integer('n').notNull(),
    attempt: integer('attempt').notNull(),
    at: ts('at').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.n] })],
);

/** The last audit event the webhook dispatcher has fanned out. */
export const webhookCursor = pgTable('webhook_cursor', {
  id: integer('id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
});

// ---- Mail ---------------------------------------------------------------------

/** Reminders sent, so each is sent once: one per license, kind and the moment it is about. */
export const mailReminders = pgTable(
  'mail_reminders',
  {
    licenseId: text('license_id').notNull(),
    kind: text('kind', { enum: ['expiry', 'payment-failed', 'grace-ending'] }).notNull(),
    about: ts('about').notNull(),
    sentAt: ts('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.licenseId, t.kind, t.about] })],
);

// ---- CI workload identity ---------------------------------------------------

/**
 * Rules that let CI jobs take seats with a workload identity token instead of a
 * license key: claim patterns of one trusted issuer → one license, with a CI pool.
 */
export const ciMappings = pgTable(
  'ci_mappings',
  {
    id: text('id').primaryKey(),
    licenseId: text('license_id')
      .notNull()
      .references(() => licenses.id),
    organisationId: text('organisation_id').notNull(),
    issuer: text('issuer').notNull(),
    repositoryPattern: text('repository_pattern').notNull(),
    refPattern: text('ref_pattern'),
    jobWorkflowRefPattern: text('job_workflow_ref_pattern'),
    mode: text('mode', { enum: ['enforce', 'advisory'] }).notNull(),
    maxConcurrent: integer('max_concurrent'),
    createdAt: createdAt(),
  },
  (t) => [
    index('ci_mappings_issuer_idx').on(t.issuer),
    index('ci_mappings_license_idx').on(t.licenseId, t.id),
    check('ci_mappings_mode_check', sql`${t.mode} in ('enforce', 'advisory')`),
    check('ci_mappings_pool_check', sql`${t.maxConcurrent} is null or ${t.maxConcurrent} > 0`),
  ],
);

/**
 * The CI marker of a session: which rule and job took it. A row without a session is a
 * reservation of the rule's CI pool, made under the rule's row lock before the seat store
 * is asked, and counted until `reservedUntil`.
 */
export const ciSeats = pgTable(
  'ci_seats',
  {
    id: text('id').primaryKey(),
    mappingId: text('mapping_id')
      .notNull()
      .references(() => ciMappings.id, { onDelete: 'cascade' }),
    licenseId: text('license_id').notNull(),
    /** The job: derived from the token's repository, run and attempt, and the job's name. */
    fingerprint: text('fingerprint').notNull(),
    sessionId: text('session_id'),
    reservedUntil: ts('reserved_until').notNull(),
    claims: jsonb('claims').$type<Record<string, string>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ci_seats_mapping_idx').on(t.mappingId, t.createdAt), index('ci_seats_session_idx').on(t.sessionId)],
);
