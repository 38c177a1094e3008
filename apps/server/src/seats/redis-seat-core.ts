import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { RedisConnection, Scripts } from '../redis/connection.js';
import type { IssuedToken, LeaseTokens } from '../tokens/lease-tokens.js';
import { LicenseTermsCache } from './license-terms-cache.js';
import { GrantRecorder } from './redis-grant-recorder.js';
import { HeartbeatWriter } from './redis-heartbeat-writer.js';
import { LicenseTermsLoader } from './redis-license-terms.js';
import { RedisSeatKeys } from './redis-seat-keys.js';
import { rebuildLicense, unavailable } from './redis-seat-rebuild.js';
import { SessionLicenses } from './session-licenses.js';

export interface RedisSeatStoreOptions {
  connection: RedisConnection;
  /** Closed with the store when true. */
  ownsConnection?: boolean;
  db: Db;
  tokens: LeaseTokens;
  /** Prefix of every key, e.g. `leasehold:`. */
  keyPrefix: string;
  /**
   * For tests only: a clock whose time the scripts use instead of Redis `TIME`, so a
   * test can move time. Production leaves it unset: every replica then decides on
   * the one clock of Redis.
   */
  testClock?: Clock;
  /** How often routine heartbeats are copied to PostgreSQL (default 2 s). */
  heartbeatFlushMs?: number;
  /** How long heartbeats may use license terms read earlier, while change notifications are heard (default 5 s). */
  termsTtlMs?: number;
  /** How long Redis keeps a session after its lease ran out (default 1 h). */
  retentionMs?: number;
  onBackgroundError?: (error: unknown) => void;
}

/** What a seat script answers: a verdict, Redis's time in ms, then the verdict's fields. */
export type Reply = [string, number, ...unknown[]];

/**
 * What the Redis seat store's operations share (see RedisSeatStore): the scripts and
 * how to call them, license terms, the PostgreSQL writers, and which license each
 * known session belongs to.
 */
export class RedisSeatCore {
  readonly keys: RedisSeatKeys;
  readonly terms: LicenseTermsLoader;
  /** Terms for heartbeats; see LicenseTermsCache for when it answers from memory. */
  readonly termsCache: LicenseTermsCache;
  readonly writer: HeartbeatWriter;
  readonly recorder: GrantRecorder;
  readonly retentionMs: number;
  readonly #sessions: SessionLicenses;
  readonly #rebuilds = new Map<string, Promise<void>>();

  constructor(readonly o: RedisSeatStoreOptions) {
    this.keys = new RedisSeatKeys(o.keyPrefix);
    this.#sessions = new SessionLicenses(o.db);
    this.terms = new LicenseTermsLoader(o.db);
    this.termsCache = new LicenseTermsCache(this.terms, o.termsTtlMs ?? 5_000);
    this.recorder = new GrantRecorder(o.db);
    this.retentionMs = o.retentionMs ?? 3_600_000;
    this.writer = new HeartbeatWriter(o.db, o.heartbeatFlushMs ?? 2_000, o.onBackgroundError ?? (() => {}));
  }

  // --- Redis plumbing -------------------------------------------------------
  #testNow(): string {
    return this.o.testClock ? String(this.o.testClock.now().getTime()) : '';
  }

  async now(): Promise<number> {
    return Number(await this.o.connection.run('time', (c) => c.lhTime(this.#testNow())));
  }

  /** Runs a seat script; when the license's seat state is missing, rebuilds it from PostgreSQL first. */
  async decide(command: keyof Scripts, licenseId: string, args: (string | number)[]): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const base = this.keys.base(licenseId);
      const reply = (await this.o.connection.run(command, (c) => c[command](`${base}epoch`, `${base}seats`, this.#testNow(), base, ...args))) as Reply;
      if (reply[0] !== 'REBUILD') return reply;
      if (attempt >= 3) throw unavailable();
      await this.#rebuild(licenseId);
    }
  }

  #rebuild(licenseId: string): Promise<void> {
    let running = this.#rebuilds.get(licenseId);
    if (!running) {
      // No flush of queued heartbeats first: the reaper may rebuild while it holds row locks a flush
      // could wait on, and rebuildLicense needs no copy fresher than one flush interval.
      running = rebuildLicense(
        {
          connection: this.o.connection,
          db: this.o.db,
          keys: this.keys,
          retentionMs: this.retentionMs,
          now: () => this.now(),
          capacity: async (id) => {
            const locked = await this.terms.load(id);
            return locked ? locked.terms.seats + locked.terms.overage : 0;
          },
        },
        licenseId,
      ).finally(() => this.#rebuilds.delete(licenseId));
      this.#rebuilds.set(licenseId, running);
    }
    return running;
  }

  async undo(licenseId: string, sessionId: string): Promise<void> {
    this.forgetSession(sessionId);
    await this.decide('lhEnd', licenseId, [sessionId, '', '0']);
  }

  async storeToken(licenseId: string, sessionId: string, issued: IssuedToken): Promise<void> {
    // Best effort: without it, the next heartbeat signs a new token.
    await this.o.connection
      .run('settoken', (c) => c.lhSetToken(this.keys.session(licenseId, sessionId), issued.token, issued.renewAt.getTime()))
      .catch(() => {});
  }

  remember(sessionId: string, licenseId: string): void {
    this.#sessions.remember(sessionId, licenseId);
  }

  forgetSession(sessionId: string): void {
    this.#sessions.forget(sessionId);
    this.writer.forget(sessionId);
  }

  licenseOfSession(sessionId: string): Promise<string | null> {
    return this.#sessions.licenseOf(sessionId);
  }
}
