import type { Overview } from '@leasehold/protocol/schemas';
import type { BillingService } from './billing/billing-service.js';
import type { SelfServeBilling } from './billing/self-serve.js';
import type { Config } from './config.js';
import type { AdminSessions } from './dashboard/admin-session.js';
import type { StaffService } from './dashboard/staff.js';
import type { Database } from './db/database.js';
import type { RateLimiter } from './http/rate-limiter.js';
import type { IdentityServices } from './identity/identity-services.js';
import type { Clock } from './kernel/clock.js';
import type { OrganisationScope } from './kernel/organisation-scope.js';
import type { MailNotifications } from './mail/notifications.js';
import type { Reminders } from './mail/reminders.js';
import type { SeatGauges } from './ops/gauges.js';
import type { Metrics } from './ops/metrics.js';
import type { SeatQueue } from './seat-queue/seat-queue.js';
import type { SeatStore } from './seats/seat-store.js';
import type { ApiKeyService } from './services/api-key-service.js';
import type { AuditService } from './services/audit-service.js';
import type { CatalogService } from './services/catalog-service.js';
import type { CiMappingService } from './services/ci-mapping-service.js';
import type { LicenseService } from './services/license-service.js';
import type { LicensingService } from './services/licensing-service.js';
import type { OrganisationService } from './services/organisation-service.js';
import type { SessionService } from './services/session-service.js';
import type { Signer } from './signing/signer.js';
import type { LeaseTokens } from './tokens/lease-tokens.js';
import type { SeatUsageRollup } from './usage/seat-usage-rollup.js';
import type { UsageReport } from './usage/usage-report.js';
import type { Webhooks } from './webhooks/webhooks.js';

/** A dependency /readyz checks: the database, and Redis when configured. */
interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * Everything compose.ts builds once at start-up and hands to the HTTP app. Each route
 * plugin and service receives only the few parts it uses.
 */
export interface Services {
  config: Config;
  clock: Clock;
  metrics: Metrics;
  database: Database;
  signer: Signer;
  tokens: LeaseTokens;
  seats: SeatStore;
  rateLimiter: RateLimiter;
  readiness: ReadinessCheck[];
  /** The gauges a scrape reads (dependencies up, seats and queue lengths per license), refreshed in the background. */
  gauges: SeatGauges;
  /** Set when shutdown begins: /readyz fails so the load balancer stops sending traffic. */
  lifecycle: { draining: boolean };
  licensing: LicensingService;
  /** Rules mapping CI jobs' workload identity tokens to licenses. */
  ciMappings: CiMappingService;
  catalog: CatalogService;
  organisations: OrganisationService;
  licenses: LicenseService;
  sessions: SessionService;
  /** The seat queue of each license (for its gauges; acquires wait through `licensing`). */
  seatQueue: SeatQueue;
  apiKeys: ApiKeyService;
  audit: AuditService;
  /** Sign-in, access and refresh tokens, device flow, organisation membership. */
  identity: IdentityServices;
  billing: BillingService;
  selfServe: SelfServeBilling;
  /** The hourly seat-usage rollup, fed from the audit chain's seat events. */
  usage: SeatUsageRollup;
  /** Seat-usage analytics read from the rollup. */
  usageReports: UsageReport;
  /** The dashboard's overview: seats in use against seats sold, the last day's denials and expiries. */
  overview: { read(scope: OrganisationScope): Promise<Overview> };
  /** Dashboard sessions opened with an admin API key. */
  adminSessions: AdminSessions;
  staff: StaffService;
  /** Outgoing signed webhooks: endpoints, deliveries, the sending pass. */
  webhooks: Webhooks;
  /** Invitations, license keys, reminders and webhook notices by e-mail. */
  mail: MailNotifications;
  /** Expiry, payment and grace reminders, audited and mailed on the reaper's pass. */
  reminders: Reminders;
  close(): Promise<void>;
}
