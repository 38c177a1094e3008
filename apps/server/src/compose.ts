import type { Services } from './app-services.js';
import { BillingService } from './billing/billing-service.js';
import { SelfServeBilling } from './billing/self-serve.js';
import { createStripeClient } from './billing/stripe-client.js';
import { createIdentity } from './compose-identity.js';
import { openSeatQueue } from './compose-queue.js';
import { openRedisParts } from './compose-redis.js';
import type { Config } from './config.js';
import { AdminSessions } from './dashboard/admin-session.js';
import { readOverview } from './dashboard/overview.js';
import { StaffService } from './dashboard/staff.js';
import { type Database, openDatabase } from './db/database.js';
import { MemoryRateLimiter, type RateLimiter } from './http/rate-limiter.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { createMailer, type MailLog } from './mail/mailer.js';
import { MailNotifications } from './mail/notifications.js';
import { Reminders } from './mail/reminders.js';
import { readTemplateOverrides } from './mail/template-files.js';
import { countSigningErrors } from './ops/count-signing-errors.js';
import { SeatGauges } from './ops/gauges.js';
import { Metrics } from './ops/metrics.js';
import type { SeatStore } from './seats/seat-store.js';
import { SqlSeatStore } from './seats/sql-seat-store.js';
import { ApiKeyService } from './services/api-key-service.js';
import { AuditService } from './services/audit-service.js';
import { CatalogService } from './services/catalog-service.js';
import { CiMappingService } from './services/ci-mapping-service.js';
import { CiPool } from './services/ci-pool.js';
import { LicenseKeyCache } from './services/license-key-cache.js';
import { LicenseService } from './services/license-service.js';
import { LicensingService } from './services/licensing-service.js';
import { OrganisationService } from './services/organisation-service.js';
import { SessionService } from './services/session-service.js';
import { createSigner } from './signing/create-signer.js';
import type { Signer } from './signing/signer.js';
import { LeaseTokens } from './tokens/lease-tokens.js';
import { SeatUsageRollup } from './usage/seat-usage-rollup.js';
import { UsageReport } from './usage/usage-report.js';
import { WebhookDeliveryLog } from './webhooks/delivery-log.js';
import { WebhookDeliveryWorker } from './webhooks/delivery-worker.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { WebhookEndpointService } from './webhooks/endpoint-service.js';
import { Webhooks } from './webhooks/webhooks.js';

export interface ComposeOverrides {
  clock?: Clock;
  database?: Database;
  signer?: Signer;
  metrics?: Metrics;
  rateLimiter?: RateLimiter;
  /** Builds the seat store; the SQL store is the default. */
  seatStore?: (deps: { database: Database; clock: Clock; tokens: LeaseTokens; metrics: Metrics }) => Promise<SeatStore> | SeatStore;
}

/** The composition root: opens the database, migrates it, builds the signer, the seat store and the services. */
export async function composeServices(config: Config, overrides: ComposeOverrides = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const metrics = overrides.metrics ?? new Metrics();
  const database =
    overrides.database ??
    (await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? null : `${config.dataDir}/pglite`, poolSize: config.databasePoolSize }));
  await database.migrate();
  const signer = countSigningErrors(overrides.signer ?? (await createSigner(config, clock)), metrics);
  const tokens = new LeaseTokens(signer, config.publicUrl);
  const db = database.db;
  // With REDIS_URL, Redis decides seats and counts rate limits. A clock override (tests only)
  // is handed to the Redis scripts; otherwise they read Redis TIME, one clock for all replicas.
  const redis =
    config.redisUrl && !overrides.seatStore
      ? await openRedisParts({
          url: config.redisUrl,
          caCert: config.redisCaCert,
          cluster: config.redisCluster,
          replicas: config.redisReplicas,
          keyPrefix: config.redisKeyPrefix,
          db,
          databaseUrl: database.url,
          tokens,
          metrics,
          ...(overrides.clock ? { testClock: clock } : {}),
        })
      : null;
  const seats = overrides.seatStore
    ? await overrides.seatStore({ database, clock, tokens, metrics })
    : (redis?.seats ??
      new SqlSeatStore({
        db,
        tokens,
        signInTransaction: database.kind === 'pglite' && signer.kind === 'local',
        ...(overrides.clock ? { testClock: clock } : {}),
      }));
  const seatQueue = openSeatQueue({ db, clock, metrics, databaseUrl: database.url });
  const rateLimiter = overrides.rateLimiter ?? redis?.rateLimiter ?? new MemoryRateLimiter(() => clock.now().getTime());
  const stripe = createStripeClient(config.billing);
  // Mail notes go to the log as JSON lines, like the request log.
  const mailLog: MailLog =
    config.logLevel === 'silent'
      ? () => {}
      : (entry, msg) => process.stdout.write(`${JSON.stringify({ level: 30, severity: 'INFO', time: clock.now().getTime(), ...entry, msg })}\n`);
  const mailer = createMailer(config.mail, mailLog);
  const brand = { name: config.mail.brand, url: config.publicUrl, overrides: readTemplateOverrides(config.mail.templatesDir) };
  const mail = new MailNotifications({
    db,
    mailer,
    log: mailLog,
    settings: { brand, vendorEmail: config.mail.vendorEmail },
  });
  const reminders = new Reminders({
    db,
    clock,
    mailer,
    log: mailLog,
    brand,
    expiryReminderDays: config.mail.expiryReminderDays,
    graceDays: config.billing.graceDays,
  });
  const ciMappings = new CiMappingService({ db, clock }, config.ci.issuers);
  const identity = createIdentity({ config, db, clock, signer });
  const readiness = [{ name: 'database', check: () => database.ping() }, ...(redis ? [redis.readiness] : [])];
  const licenses = new LicenseService({ db, clock, seats });
  const webhookEndpoints = new WebhookEndpointService({ db, clock, allowPrivateTargets: config.webhooks.allowPrivateTargets });
  const services: Services = {
    config,
    clock,
    metrics,
    database,
    signer,
    tokens,
    seats,
    rateLimiter,
    readiness,
    gauges: new SeatGauges({ metrics, readiness, licenses, seatQueue: seatQueue.queue }),
    lifecycle: { draining: false },
    licensing: new LicensingService({
      db,
      clock,
      seats,
      tokens,
      metrics,
      ciMappings,
      queue: seatQueue.queue,
      queueSignals: seatQueue.signals,
      keys: new LicenseKeyCache(() => clock.now().getTime()),
      ciPool: new CiPool({ db, clock, seats }),
      licenseForUser: identity.licenseForUser,
    }),
    ciMappings,
    catalog: new CatalogService({ db, clock }),
    organisations: new OrganisationService({ db, clock }),
    licenses,
    seatQueue: seatQueue.queue,
    sessions: new SessionService({ db, clock, seats, queueSignals: seatQueue.signals }),
    apiKeys: new ApiKeyService({ db, clock }),
    audit: new AuditService({ db }),
    identity,
    billing: new BillingService({ db, clock, stripe, graceDays: config.billing.graceDays }),
    selfServe: new SelfServeBilling({ db, stripe, urls: config.billing.urls }),
    usage: new SeatUsageRollup({ db, clock }),
    usageReports: new UsageReport({ db }),
    overview: { read: (scope) => readOverview(db, clock.now(), scope) },
    adminSessions: new AdminSessions({ db, now: () => clock.now() }),
    staff: new StaffService({ db, clock }),
    webhooks: new Webhooks({
      endpoints: webhookEndpoints,
      deliveries: new WebhookDeliveryLog({ db, clock, endpoints: webhookEndpoints }),
      dispatcher: new WebhookDispatcher({ db, clock }),
      worker: new WebhookDeliveryWorker({
        db,
        clock,
        send: config.webhooks,
        onDisabled: (endpoint) => mail.webhookDisabled(endpoint),
        onAttempt: (outcome) => metrics.webhookAttempt(outcome),
      }),
    }),
    mail,
    reminders,
    async close() {
      await mail.settled();
      mailer.close();
      await seatQueue.close();
      await seats.close();
      await rateLimiter.close();
      await redis?.close();
      await signer.close();
      await database.close();
    },
  };
  return services;
}
