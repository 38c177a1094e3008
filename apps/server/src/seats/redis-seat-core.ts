import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { RedisConnection, Scripts } from '../redis/connection.js';
import type { ReplicaAck } from '../redis/replica-ack.js';
import type { IssuedToken, LeaseTokens } from '../tokens/lease-tokens.js';
import { redisLeaseToken } from '../tokens/stored-lease-token.js';
import type { LicenseTermsCache } from './license-terms-cache.js';
import type { GrantRecorder } from './redis-grant-recorder.js';
import type { Beat, HeartbeatWriter } from './redis-heartbeat-writer.js';
import type { LicenseTermsLoader } from './redis-license-terms.js';
import type { RedisSeatKeys } from './redis-seat-keys.js';
import { rebuildLicense, unavailable } from './redis-seat-rebuild.js';
import { rawDigest } from './redis-seat-records.js';
import { capacity } from './seat-rules.js';
import type { SessionLicenses } from './session-licenses.js';

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
  /** How long Redis keeps a session after its lease ran out (default 1 h). */
  retentionMs?: number;
  /** Waits for Redis's replicas before a promise is answered (none when Redis has no replicas). */
  replicaAck?: ReplicaAck;
}

/** The store's collaborators, built by the composition root (compose-redis.ts). */
export interface RedisSeatParts {
  keys: RedisSeatKeys;
  /** Which license each known session belongs to. */
  sessions: SessionLicenses;
  terms: LicenseTermsLoader;
  termsCache: LicenseTermsCache;
  recorder: GrantRecorder;
  writer: HeartbeatWriter;
}

/** Verdicts that promise a client a seat or a longer lease: answered only once replicas hold them. */
const PROMISES = new Set(['GRANTED', 'REUSED', 'RENEWED', 'BORROWED']);

/**
 * What a seat script answers: a verdict, Redis's time in ms, then the verdict's fields;
 * and the epoch it decided under (answered third by the script, moved here).
 */
export type Reply = [string, number, ...unknown[]] & { epoch: string };

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

  constructor(
    readonly o: RedisSeatStoreOptions,
    parts: RedisSeatParts,
  ) {
    this.keys = parts.keys;
    this.#sessions = parts.sessions;
    this.terms = parts.terms;
    this.termsCache = parts.termsCache;
    this.recorder = parts.recorder;
    this.writer = parts.writer;
    this.retentionMs = o.retentionMs ?? 3_600_000;
  }

  // --- Redis plumbing -------------------------------------------------------
  /** The time the scripts are handed: '' (Redis TIME) except under a test clock. */
  scriptNow(): string {
    return this.#testNow();
  }

  #testNow(): string {
    return this.o.testClock ? String(this.o.testClock.now().getTime()) : '';
  }

  /**
   * Redis's time on the shard that holds the license's seats (the clock its scripts
   * read); without a license, on whichever shard holds the key it names.
   */
  async now(licenseId?: string): Promise<number> {
    const key = licenseId ? this.keys.epoch(licenseId) : `${this.keys.prefix}clock`;
    return Number(await this.o.connection.run('time', (c) => c.lhTime(key, this.#testNow())));
  }

  /**
   * Runs a seat script; when the license's seat state is missing, rebuilds it from PostgreSQL first.
   * bytesAt: an element of the script's answer to keep as bytes (a Buffer); the others are text.
   */
  async decide(command: keyof Scripts, licenseId: string, args: (string | number | Buffer)[], bytesAt?: number): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      const base = this.keys.base(licenseId);
      const call = bytesAt === undefined ? command : (`${command}Buffer` as const);
      const raw = (await this.o.connection.run(command, (c) => c[call](`${base}epoch`, `${base}seats`, this.#testNow(), base, ...args))) as unknown[];
      if (bytesAt !== undefined) for (const [i, v] of raw.entries()) if (i !== bytesAt && Buffer.isBuffer(v)) raw[i] = v.toString();
      if (raw[0] !== 'REBUILD') {
        // The epoch, answered third, moves onto the reply: [verdict, now, ...fields].
        const epoch = String(raw.splice(2, 1)[0]);
        if (this.o.replicaAck && PROMISES.has(String(raw[0]))) await this.o.replicaAck.confirm();
        return Object.assign(raw, { epoch }) as unknown as Reply;
      }
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
          now: (licenseId) => this.now(licenseId),
          limits: async (id) => {
            const locked = await this.terms.load(id);
            return locked ? { capacity: capacity(locked.terms), leaseMs: locked.terms.leaseTtlSeconds * 1000 } : { capacity: 0, leaseMs: 0 };
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
    await this.decide('lhEnd', licenseId, [sessionId, '', '0', this.retentionMs]);
  }

  async storeToken(licenseId: string, sessionId: string, issued: IssuedToken): Promise<void> {
    await this.confirm(licenseId, sessionId, { token: issued });
  }

  /**
   * After a PostgreSQL write: stores a new token and confirms the expiry PostgreSQL now
   * holds (versioned by its heartbeat time). Best effort: without the token the next
   * heartbeat signs one; without the confirmation Redis keeps an older, lower pgx, which
   * only asks for copies sooner.
   */
  async confirm(
    licenseId: string,
    sessionId: string,
    c: { token?: { token: string; renewAt: Date | null } | null; expiresAt?: Date; version?: Date },
  ): Promise<void> {
    await this.o.connection
      .run('settoken', (r) =>
        r.lhSetToken(
          this.keys.sessions(licenseId),
          sessionId,
          redisLeaseToken(c.token?.token),
          c.token?.renewAt?.getTime() ?? '',
          c.expiresAt?.getTime() ?? '',
          c.version?.getTime() ?? 0,
        ),
      )
      .catch(() => {});
  }

  /** Puts back the secret a repeated key replaced in Redis, when PostgreSQL did not take the new one. */
  async restoreSecret(licenseId: string, sessionId: string, newHash: string, oldHash: string): Promise<void> {
    if (!oldHash) return;
    await this.o.connection.run('restoresecret', (c) => c.lhRestoreSecret(this.keys.sessions(licenseId), sessionId, rawDigest(newHash), rawDigest(oldHash)));
  }

  /** PostgreSQL fenced this epoch: drop it (if Redis still has it) so the next call rebuilds. */
  async dropEpoch(licenseId: string, epoch: string): Promise<void> {
    await this.o.connection.run('dropepoch', (c) => c.lhDropEpoch(this.keys.epoch(licenseId), epoch));
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

/**
 * After heartbeats were copied to PostgreSQL: confirms to Redis the expiry each copy
 * holds (the writer's callback, see HeartbeatWriter).
 */
export async function confirmCopies(connection: RedisConnection, keys: RedisSeatKeys, written: { sessionId: string; beat: Beat }[]): Promise<void> {
  if (written.length === 0) return;
  await connection.pipelined(
    'confirm',
    written,
    ({ beat }) => beat.licenseId,
    (pipeline, { sessionId, beat }) =>
      pipeline.lhSetToken(keys.sessions(beat.licenseId), sessionId, '', '', beat.expiresAt.getTime(), beat.lastHeartbeatAt.getTime()),
  );
}
