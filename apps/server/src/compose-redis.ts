import type { Db } from './db/database.js';
import { NotificationListener } from './db/notification-listener.js';
import { RedisRateLimiter } from './http/redis-rate-limiter.js';
import type { Clock } from './kernel/clock.js';
import type { Metrics } from './ops/metrics.js';
import { RedisConnection } from './redis/connection.js';
import { ReplicaAck } from './redis/replica-ack.js';
import { LicenseTermsCache } from './seats/license-terms-cache.js';
import { GrantRecorder } from './seats/redis-grant-recorder.js';
import { HeartbeatWriter } from './seats/redis-heartbeat-writer.js';
import { LicenseTermsLoader } from './seats/redis-license-terms.js';
import { confirmCopies } from './seats/redis-seat-core.js';
import { RedisSeatKeys } from './seats/redis-seat-keys.js';
import { RedisSeatStore } from './seats/redis-seat-store.js';
import { SessionLicenses } from './seats/session-licenses.js';
import type { LeaseTokens } from './tokens/lease-tokens.js';

export interface RedisParts {
  connection: RedisConnection;
  seats: RedisSeatStore;
  rateLimiter: RedisRateLimiter;
  readiness: { name: string; check(): Promise<void> };
  close(): Promise<void>;
}

/** How often routine heartbeats are copied to PostgreSQL, in one batch. */
const HEARTBEAT_FLUSH_MS = 2_000;
/** How long heartbeats may use license terms read earlier, while change notifications are heard. */
const TERMS_TTL_MS = 5_000;

/** The channel the migration's trigger NOTIFYs on: a license ID, or '*' for all. */
const LICENSE_CHANGED_CHANNEL = 'leasehold_license_changed';

/**
 * The Redis side of a production server: one connection, the seat store and the
 * shared rate limiter on it, the readiness check, and the PostgreSQL listener that
 * keeps the seat store's copy of license terms current (without it, with PGlite,
 * every heartbeat reads the terms from the database). Start-up does not wait for
 * Redis longer than a few seconds: until it answers, /readyz fails and licensing
 * answers 503.
 */
export async function openRedisParts(
  options: {
    url: string;
    caCert?: string | null;
    /** REDIS_URL is one node of a Redis Cluster. */
    cluster?: boolean;
    /** Replicas that confirm each seat promise (WAIT), and for how long to wait for them. */
    replicas?: { count: number; timeoutMs: number };
    keyPrefix: string;
    db: Db;
    databaseUrl: string | null;
    tokens: LeaseTokens;
    metrics: Metrics;
    testClock?: Clock;
  },
  log: (message: string, error?: unknown) => void = () => {},
): Promise<RedisParts> {
  const connection = new RedisConnection(options.url, options.metrics, { caCert: options.caCert ?? null, cluster: options.cluster ?? false });
  if (!(await connection.connect())) log('Redis is not reachable yet; licensing answers 503 until it is');
  const keys = new RedisSeatKeys(options.keyPrefix);
  const terms = new LicenseTermsLoader(options.db);
  const seats = new RedisSeatStore(
    {
      connection,
      db: options.db,
      tokens: options.tokens,
      keyPrefix: options.keyPrefix,
      ...(options.replicas?.count ? { replicaAck: new ReplicaAck(connection, options.replicas.count, options.replicas.timeoutMs) } : {}),
      ...(options.testClock ? { testClock: options.testClock } : {}),
    },
    {
      keys,
      sessions: new SessionLicenses(options.db),
      terms,
      // Heartbeats use terms read up to this long ago while change notifications are heard.
      termsCache: new LicenseTermsCache(terms, TERMS_TTL_MS),
      recorder: new GrantRecorder(options.db),
      writer: new HeartbeatWriter(
        options.db,
        HEARTBEAT_FLUSH_MS,
        (error) => log('copying heartbeats to PostgreSQL failed; will retry', error),
        (written) => confirmCopies(connection, keys, written),
      ),
    },
  );
  const rateLimiter = new RedisRateLimiter(connection, options.keyPrefix);
  const listener = options.databaseUrl
    ? new NotificationListener(options.databaseUrl, LICENSE_CHANGED_CHANNEL, {
        notify: (licenseId) => seats.termsCache.invalidate(licenseId),
        live: (listening) => seats.termsCache.setListening(listening),
      })
    : null;
  listener?.start();
  return {
    connection,
    seats,
    rateLimiter,
    readiness: { name: 'redis', check: () => connection.ping() },
    async close() {
      await listener?.close();
      await connection.close();
    },
  };
}
