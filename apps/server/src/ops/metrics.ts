import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one server instance. The registry is per instance (not
 * prom-client's global) so tests can build many apps in one process.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly #grants = new Counter({
    name: 'leasehold_seat_grants_total',
    help: 'Seats granted, by license',
    labelNames: ['license_id'],
    registers: [this.registry],
  });
  readonly #denials = new Counter({
    name: 'leasehold_seat_denials_total',
    help: 'Seat requests refused, by license and code',
    labelNames: ['license_id', 'code'],
    registers: [this.registry],
  });
  readonly #ciGrants = new Counter({
    name: 'leasehold_ci_seat_grants_total',
    help: 'Seats taken by CI jobs with a workload identity token, by license, mapping mode and whether an advisory rule let the job past its CI pool',
    labelNames: ['license_id', 'mode', 'over_pool'],
    registers: [this.registry],
  });
  readonly #ciDenials = new Counter({
    name: 'leasehold_ci_seat_denials_total',
    help: 'CI jobs refused before the seat store, by license (none when no rule matched) and code (LICENSE_NOT_FOUND, CI_POOL_FULL)',
    labelNames: ['license_id', 'code'],
    registers: [this.registry],
  });
  readonly #expired = new Counter({ name: 'leasehold_sessions_expired_total', help: 'Sessions ended because their lease ran out', registers: [this.registry] });
  readonly #heartbeats = new Counter({ name: 'leasehold_heartbeats_total', help: 'Heartbeats received', registers: [this.registry] });
  readonly #dbErrors = new Counter({ name: 'leasehold_db_errors_total', help: 'Database errors', registers: [this.registry] });
  readonly #redisDuration = new Histogram({
    name: 'leasehold_redis_command_duration_seconds',
    help: 'Redis command and script latency, by command',
    labelNames: ['command'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
    registers: [this.registry],
  });
  readonly #redisErrors = new Counter({
    name: 'leasehold_redis_errors_total',
    help: 'Redis commands that failed, by command',
    labelNames: ['command'],
    registers: [this.registry],
  });
  readonly #seatRepairs = new Counter({
    name: 'leasehold_seat_reconciler_repairs_total',
    help: 'Disagreements between Redis seats and PostgreSQL sessions the reconciler repaired, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly #webhookAttempts = new Counter({
    name: 'leasehold_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome: delivered, retry (will be tried again) or failed (attempts used up)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly seatsInUse = new Gauge({ name: 'leasehold_seats_in_use', help: 'Live seats by license', labelNames: ['license_id'], registers: [this.registry] });
  readonly seatsTotal = new Gauge({
    name: 'leasehold_seats_total',
    help: 'Seats (without overage) by license',
    labelNames: ['license_id'],
    registers: [this.registry],
  });

  /** 1 while the last background check reached the dependency, 0 otherwise: scrapes never touch it themselves. */
  readonly dependencyUp = new Gauge({
    name: 'leasehold_dependency_up',
    help: 'Whether the last background check reached the dependency (1) or not (0)',
    labelNames: ['dependency'],
    registers: [this.registry],
  });
  readonly queueWaiting = new Gauge({
    name: 'leasehold_seat_queue_waiting',
    help: 'Acquires waiting in the seat queue, by license',
    labelNames: ['license_id'],
    registers: [this.registry],
  });
  readonly #queueWait = new Histogram({
    name: 'leasehold_seat_queue_wait_seconds',
    help: 'How long acquires waited in the seat queue, by license and how they left it (granted, gave-up, lapsed)',
    labelNames: ['license_id', 'outcome'],
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly gaugesRefreshed = new Gauge({
    name: 'leasehold_gauges_refreshed_timestamp_seconds',
    help: 'When the seat gauges were last read from the database',
    registers: [this.registry],
  });
  readonly #signingErrors = new Counter({
    name: 'leasehold_signing_errors_total',
    help: 'Signatures that failed (KMS, HSM or key file), by signer',
    labelNames: ['signer'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  seatGranted(licenseId: string): void {
    this.#grants.inc({ license_id: licenseId });
  }
  seatDenied(licenseId: string, code: string): void {
    this.#denials.inc({ license_id: licenseId, code });
  }
  ciSeatGranted(licenseId: string, mode: string, overPool: boolean): void {
    this.#ciGrants.inc({ license_id: licenseId, mode, over_pool: String(overPool) });
  }
  ciSeatDenied(licenseId: string, code: string): void {
    this.#ciDenials.inc({ license_id: licenseId, code });
  }
  seatRepairs(kind: string, count: number): void {
    if (count > 0) this.#seatRepairs.inc({ kind }, count);
  }
  webhookAttempt(outcome: 'delivered' | 'retry' | 'failed'): void {
    this.#webhookAttempts.inc({ outcome });
  }
  leftQueue(licenseId: string, outcome: string, waitedSeconds: number): void {
    this.#queueWait.observe({ license_id: licenseId, outcome }, waitedSeconds);
  }
  sessionsExpired(count: number): void {
    if (count > 0) this.#expired.inc(count);
  }
  heartbeat(): void {
    this.#heartbeats.inc();
  }
  databaseError(): void {
    this.#dbErrors.inc();
  }
  redisCommand(command: string, seconds: number): void {
    this.#redisDuration.observe({ command }, seconds);
  }
  signingError(signer: string): void {
    this.#signingErrors.inc({ signer });
  }
  redisError(command: string): void {
    this.#redisErrors.inc({ command });
  }
}
