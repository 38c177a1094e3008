import type { AcquireRequest, AcquireResponse, HeartbeatResponse, ValidateRequest, ValidateResponse } from '@leasehold/protocol/schemas';
import { sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { WorkloadClaims } from '../kernel/workload-claims.js';
import { licenseRepository } from '../repositories/license-repository.js';
import { sessionRepository } from '../repositories/session-repository.js';
import type { QueueSignals } from '../seat-queue/queue-signals.js';
import type { SeatQueue } from '../seat-queue/seat-queue.js';
import type { AcquireOutcome, LicenseRefusal, LiveSession, SeatStore, SessionRef } from '../seats/seat-store.js';
import { licenseRefusal, readLicenses } from '../seats/seat-terms.js';
import type { LeaseTokens } from '../tokens/lease-tokens.js';
import { acquireInTurn, type TurnOutcome } from './acquire-in-turn.js';
import type { CiMappingService } from './ci-mapping-service.js';
import type { CiPool } from './ci-pool.js';
import type { LicenseKeyCache } from './license-key-cache.js';

/** What licensing counts (ops/metrics.ts implements it): grants, denials, heartbeats. */
interface LicensingMetrics {
  seatGranted(licenseId: string): void;
  seatDenied(licenseId: string, code: string): void;
  ciSeatGranted(licenseId: string, mode: string, overPool: boolean): void;
  ciSeatDenied(licenseId: string, code: string): void;
  heartbeat(): void;
}

export interface LicensingDeps {
  db: Db;
  clock: Clock;
  seats: SeatStore;
  tokens: LeaseTokens;
  metrics: LicensingMetrics;
  queue: SeatQueue;
  queueSignals: QueueSignals;
  ciMappings: CiMappingService;
  /** License keys already looked up (their hashes), kept a short while. */
  keys: LicenseKeyCache;
  /** The seats CI jobs hold under their mapping rules. */
  ciPool: CiPool;
  /** The license a signed-in person's acquire takes a seat from (identity's rule), or a LICENSE_NOT_FOUND or VALIDATION_FAILED refusal. */
  licenseForUser(userId: string, productCode: string, licenseId: string | undefined): Promise<string>;
}

const REFUSAL_DETAIL: Record<LicenseRefusal, string> = {
  LICENSE_NOT_FOUND: 'No license of this product matches the key. Check the key and the product code.',
  LICENSE_SUSPENDED: 'The license is suspended. Ask its owner or the vendor to reinstate it.',
  LICENSE_REVOKED: 'The license was revoked and can no longer be used.',
  LICENSE_EXPIRED: 'The license has expired. Renew it to keep using the product.',
};

/** Taking, keeping and giving back seats: the calls the SDK makes. */
export class LicensingService {
  readonly #keys: LicenseKeyCache;
  readonly #ciPool: CiPool;

  constructor(private readonly deps: LicensingDeps) {
    this.#keys = deps.keys;
    this.#ciPool = deps.ciPool;
  }

  /**
   * Finds the license a key opens for a product; a key of another product answers as an
   * unknown key. Returns the key's hash too, which callers re-check against the license.
   */
  async licenseForKey(productCode: string, key: string): Promise<{ licenseId: string; keyHash: string }> {
    const keyHash = sha256(key);
    const cached = this.#keys.get(productCode, keyHash);
    if (cached) return { licenseId: cached, keyHash };
    const licenseId = await licenseRepository.findIdByKey(this.deps.db, productCode, keyHash);
    if (!licenseId) throw refused('LICENSE_NOT_FOUND');
    this.#keys.set(productCode, keyHash, licenseId);
    return { licenseId, keyHash };
  }

  /**
   * Takes a seat with a license key. The key's license comes from a short cache;
   * the seat store re-checks the key under the license lock, and if it no longer
   * opens the license (rotated), the entry is dropped and the key looked up again.
   */
  async acquireWithKey(
    input: AcquireRequest & { licenseKey: string },
    ctx: Omit<RequestContext, 'actor'>,
    abort?: AbortSignal,
    retried = false,
  ): Promise<AcquireResponse> {
    const { licenseId, keyHash } = await this.licenseForKey(input.product, input.licenseKey);
    if (input.licenseId && input.licenseId !== licenseId) throw new LeaseholdError('LICENSE_NOT_FOUND', 'The licenseId does not belong to this key.');
    try {
      return await this.acquire({ ...input, licenseId, userId: null, keyHash }, { ...ctx, actor: { type: 'license-key', id: licenseId } }, abort);
    } catch (error) {
      if (retried || !(error instanceof LeaseholdError) || error.code !== 'LICENSE_NOT_FOUND') throw error;
      this.#keys.evict(input.product, keyHash);
      return this.acquireWithKey(input, ctx, abort, true);
    }
  }

  /**
   * Takes a seat for a CI job that presented a verified workload identity token: the most
   * specific mapping rule names the license, the rule's CI pool is checked (and a place
   * reserved) before the seat store decides, and the seat is one per job, whatever
   * fingerprint the caller sent.
   */
  async acquireAsWorkload(input: AcquireRequest, claims: WorkloadClaims, ctx: Omit<RequestContext, 'actor'>, abort?: AbortSignal): Promise<AcquireResponse> {
    const mapping = await this.deps.ciMappings.match(claims, input.product);
    if (!mapping || (input.licenseId && input.licenseId !== mapping.licenseId)) {
      this.deps.metrics.ciSeatDenied('none', 'LICENSE_NOT_FOUND');
      const where = `${claims.repository}${claims.ref ? ` at ${claims.ref}` : ''}`;
      throw new LeaseholdError(
        'LICENSE_NOT_FOUND',
        `No CI mapping of ${input.product} matches ${where}. The vendor or the organisation's owner maps repositories to a license (ci-mappings).`,
      );
    }
    const actorCtx: RequestContext = { ...ctx, actor: { type: 'workload', id: claims.subject.slice(0, 255) } };
    const job = input.fingerprintComponents?.ciJob ?? '';
    const fingerprint = ciJobFingerprint(claims, job);
    const pool = await this.#ciPool.reserve(mapping, fingerprint, claims, actorCtx);
    if (pool.kind === 'full') {
      this.deps.metrics.ciSeatDenied(mapping.licenseId, 'CI_POOL_FULL');
      const max = mapping.maxConcurrent as number;
      const when = pool.nextFreeAt ? ` The next one frees at ${pool.nextFreeAt.toISOString()} unless released sooner.` : '';
      throw new LeaseholdError(
        'NO_SEAT_AVAILABLE',
        `${max === 1 ? 'The one CI seat' : `All ${max} CI seats`} of the mapping for ${mapping.repositoryPattern} ${max === 1 ? 'is' : 'are'} held by other jobs (the CI pool; interactive seats are apart).${when}`,
        { seatsUsed: pool.used, seatsTotal: max, overage: 0, nextFreeAt: pool.nextFreeAt?.toISOString() ?? null, holders: [] },
        pool.nextFreeAt ? Math.max(1, Math.ceil((pool.nextFreeAt.getTime() - this.deps.clock.now().getTime()) / 1000)) : undefined,
      );
    }
    let answer: AcquireResponse;
    try {
      answer = await this.acquire(
        {
          ...input,
          licenseId: mapping.licenseId,
          userId: null,
          fingerprint,
          hostname: input.hostname ?? `${claims.repository}#${claims.runId}`.slice(0, 255),
        },
        actorCtx,
        abort,
      );
    } catch (error) {
      await this.#ciPool.cancel(pool.reservationId).catch(() => undefined);
      throw error;
    }
    await this.#ciPool.confirm(pool.reservationId, mapping, { sessionId: answer.sessionId, used: pool.used, overPool: pool.overPool, claims }, actorCtx);
    this.deps.metrics.ciSeatGranted(mapping.licenseId, mapping.mode, pool.overPool);
    const warning = pool.overPool
      ? `Advisory: ${pool.used} CI jobs now hold seats through the mapping for ${mapping.repositoryPattern}, over its pool of ${mapping.maxConcurrent}. Logged, not refused.`
      : null;
    return {
      ...answer,
      ci: { mappingId: mapping.id, mode: mapping.mode, repository: claims.repository, poolUsed: pool.used, poolMax: mapping.maxConcurrent, warning },
    };
  }

  /**
   * Takes a seat for a signed-in person (already authenticated): from the license they
   * name, if one of their organisations holds it, else from their organisations' only
   * license of the product. The seat counts them.
   */
  async acquireAsUser(input: AcquireRequest, userId: string, ctx: Omit<RequestContext, 'actor'>, abort?: AbortSignal): Promise<AcquireResponse> {
    const licenseId = await this.deps.licenseForUser(userId, input.product, input.licenseId);
    return this.acquire({ ...input, licenseId, userId }, { ...ctx, actor: { type: 'user', id: userId } }, abort);
  }

  /**
   * Takes a seat, in turn with the license's seat queue: with `wait`, the request waits
   * (up to 20 s at a time) while others are ahead or no seat is free. `abort` ends the
   * wait early (the caller went away); its place lapses unless it polls again.
   */
  async acquire(
    input: AcquireRequest & { licenseId: string; userId: string | null; keyHash?: string },
    ctx: RequestContext,
    abort?: AbortSignal,
  ): Promise<AcquireResponse> {
    const attempt = () =>
      this.deps.seats.acquire(
        {
          licenseId: input.licenseId,
          keyHash: input.keyHash ?? null,
          userId: input.userId,
          fingerprint: input.fingerprint,
          fingerprintComponents: input.fingerprintComponents ?? null,
          hostname: input.hostname ?? null,
          platform: input.platform ?? null,
          clientVersion: input.clientVersion ?? null,
          idempotencyKey: input.idempotencyKey ?? null,
          ip: ctx.ip,
        },
        ctx,
      );
    const turn = await acquireInTurn(
      { queue: this.deps.queue, signals: this.deps.queueSignals, clock: this.deps.clock },
      {
        licenseId: input.licenseId,
        wait: input.wait ?? 0,
        ticket: input.queueTicket ?? null,
        fingerprint: input.fingerprint,
        hostname: input.hostname ?? null,
        userId: input.userId,
        priority: input.priority ?? 'normal',
      },
      attempt,
      ctx,
      abort,
    );
    if (turn.kind === 'queued') throw await this.#queuedProblem(input.licenseId, turn);
    return this.#answer(input.licenseId, turn.outcome);
  }

  #answer(licenseId: string, outcome: AcquireOutcome): AcquireResponse {
    switch (outcome.kind) {
      case 'granted': {
        this.deps.metrics.seatGranted(licenseId);
        const s = outcome.session;
        return {
          ...this.#leaseView(s),
          sessionSecret: outcome.sessionSecret,
          licenseId: s.terms.licenseId,
          leaseTtlSeconds: s.terms.leaseTtlSeconds,
          seats: { used: outcome.seatsUsed, total: s.terms.seats, overage: s.terms.overage },
          entitlements: s.terms.entitlements,
          reused: outcome.reused,
        };
      }
      case 'no-seat':
        this.deps.metrics.seatDenied(licenseId, 'NO_SEAT_AVAILABLE');
        throw this.#noSeat(outcome, null);
      case 'license-refused':
        this.deps.metrics.seatDenied(licenseId, outcome.code);
        throw refused(outcome.code);
      case 'idempotency-conflict':
        throw new LeaseholdError('ALREADY_EXISTS', 'This idempotency key was used by another machine. Use a new key for each acquire.');
    }
  }

  /** 409 NO_SEAT_AVAILABLE for a caller still in line (or behind others without `wait`), with its place. */
  async #queuedProblem(licenseId: string, turn: Extract<TurnOutcome, { kind: 'queued' }>): Promise<LeaseholdError> {
    this.deps.metrics.seatDenied(licenseId, 'NO_SEAT_AVAILABLE');
    let refusal = turn.lastRefusal;
    if (!refusal) {
      // Never the first in line, so never refused by the store: the counts come from it without trying.
      // A read, not a lock: outside a transaction a lock would be let go at once.
      const locked = (await readLicenses(this.deps.db, [licenseId], null)).get(licenseId);
      if (!locked) return refused('LICENSE_NOT_FOUND');
      const used = (await this.deps.seats.seatsInUse([licenseId])).get(licenseId) ?? 0;
      refusal = { kind: 'no-seat', terms: locked.terms, seatsUsed: used, nextFreeAt: null, holders: [] };
    }
    const now = this.deps.clock.now().getTime();
    // The seat that frees for position n is, unless someone releases sooner, the n-th soonest lease end.
    const frees = refusal.holders[turn.place.position - 1]?.expiresAt.getTime();
    const queue = turn.ticket
      ? {
          ticket: turn.ticket,
          position: turn.place.position,
          waiting: turn.place.waiting,
          estimatedWaitSeconds: frees === undefined ? null : Math.max(0, Math.ceil((frees - now) / 1000)),
          pollWithinSeconds: turn.pollWithinSeconds,
        }
      : null;
    const ahead = turn.ticket ? turn.place.position - 1 : turn.place.waiting;
    return this.#noSeat(refusal, queue, ahead);
  }

  #noSeat(outcome: Extract<AcquireOutcome, { kind: 'no-seat' }>, queue: Record<string, unknown> | null, waitingAhead = 0): LeaseholdError {
    const { terms, seatsUsed, nextFreeAt, holders } = outcome;
    const when = nextFreeAt ? ` The next one frees at ${nextFreeAt.toISOString()} unless released sooner.` : '';
    const line = waitingAhead > 0 ? ` ${waitingAhead} ${waitingAhead === 1 ? 'acquire is' : 'acquires are'} waiting ahead of you.` : '';
    return new LeaseholdError(
      'NO_SEAT_AVAILABLE',
      `${terms.seats === 1 ? 'The one seat' : `All ${terms.seats} seats`} of this license ${terms.overage ? `(and ${terms.overage} overage) ` : ''}${terms.seats === 1 && !terms.overage ? 'is' : 'are'} in use.${when}${line}`,
      {
        seatsUsed,
        seatsTotal: terms.seats,
        overage: terms.overage,
        nextFreeAt: nextFreeAt?.toISOString() ?? null,
        holders: holders.map((h) => ({ hostname: h.hostname, userId: h.userId, since: h.since.toISOString(), expiresAt: h.expiresAt.toISOString() })),
        ...(queue ? { queue } : {}),
      },
      queue ? 1 : nextFreeAt ? Math.max(1, Math.ceil((nextFreeAt.getTime() - this.deps.clock.now().getTime()) / 1000)) : undefined,
    );
  }

  async heartbeat(ref: SessionRef, ctx: RequestContext): Promise<HeartbeatResponse> {
    this.deps.metrics.heartbeat();
    const outcome = await this.deps.seats.heartbeat(ref, ctx);
    switch (outcome.kind) {
      case 'renewed':
        return { ...this.#leaseView(outcome.session), reacquired: outcome.reacquired };
      case 'not-found':
        throw sessionNotFound();
      case 'expired':
        throw new LeaseholdError(
          'SESSION_EXPIRED',
          `The session expired and all seats are in use now.${outcome.nextFreeAt ? ` The next one frees at ${outcome.nextFreeAt.toISOString()}.` : ''} Acquire again later.`,
          { seatsUsed: outcome.seatsUsed, nextFreeAt: outcome.nextFreeAt?.toISOString() ?? null },
        );
      case 'license-refused':
        throw refused(outcome.code);
    }
  }

  async borrow(ref: SessionRef, durationSeconds: number, ctx: RequestContext) {
    const outcome = await this.deps.seats.borrow(ref, durationSeconds, ctx);
    switch (outcome.kind) {
      case 'borrowed':
        return { ...this.#leaseView(outcome.session), borrowedUntil: (outcome.session.borrowedUntil as Date).toISOString() };
      case 'not-found':
        throw sessionNotFound();
      case 'expired':
        throw new LeaseholdError('SESSION_EXPIRED', 'The session expired: acquire a seat again before borrowing it.');
      case 'license-refused':
        throw refused(outcome.code);
      case 'borrow-refused':
        throw new LeaseholdError(
          'BORROW_NOT_ALLOWED',
          outcome.maxBorrowSeconds === 0
            ? "This license's plan does not allow borrowing."
            : `This license allows borrowing for at most ${outcome.maxBorrowSeconds} seconds.`,
          { maxBorrowSeconds: outcome.maxBorrowSeconds },
        );
    }
  }

  async release(ref: SessionRef, ctx: RequestContext) {
    const outcome = await this.deps.seats.release(ref, ctx);
    if (outcome.kind === 'not-found') throw sessionNotFound();
    await this.#lingerAfterRelease(outcome.licenseId, outcome.sessionId, ctx);
    // A seat is free: whoever waits for one of this license looks now.
    await this.deps.queueSignals.announce(outcome.licenseId);
    return { sessionId: outcome.sessionId, released: true as const };
  }

  /**
   * With the plan's linger, the seat just given back stays held back for the same machine
   * (or signed-in person) for a moment, so a tool run in a loop keeps it between runs.
   * Best effort: without it the seat is simply free.
   */
  async #lingerAfterRelease(licenseId: string, sessionId: string, ctx: RequestContext): Promise<void> {
    const rules = await this.deps.queue.rules(licenseId);
    if (!rules || rules.lingerSeconds === 0) return;
    const row = await sessionRepository.findHolder(this.deps.db, sessionId);
    if (row) await this.deps.queue.linger(licenseId, rules, row, ctx).catch(() => {});
  }

  /** Checks a key or a lease token without taking a seat. A refusal is an answer here, not an error. */
  async validate(input: ValidateRequest): Promise<ValidateResponse> {
    const now = this.deps.clock.now();
    let licenseId: string;
    // Set when a key (not a token) names the license: re-checked against it below.
    let keyHash: string | null = null;
    // For a token: whether the seat it was issued for is still held (null: live).
    let sessionGone: { code: string; detail: string } | null = null;
    if (input.leaseToken) {
      try {
        const claims = await this.deps.tokens.verify(input.leaseToken, now, input.product);
        if (input.fingerprint && claims.fingerprint !== input.fingerprint) {
          return invalid('FINGERPRINT_MISMATCH', 'The token is bound to another machine.');
        }
        licenseId = claims.license_id;
        sessionGone = await this.#sessionGone(claims.session_id, now);
      } catch {
        return invalid('UNAUTHENTICATED', 'The lease token is not valid: wrong signature, type, issuer or product, or it has expired.');
      }
    } else {
      try {
        ({ licenseId, keyHash } = await this.licenseForKey(input.product as string, input.licenseKey as string));
      } catch (error) {
        if (error instanceof LeaseholdError) return invalid(error.code, error.message);
        throw error;
      }
    }
    // A plain read: outside a transaction a row lock would be released at once.
    const license = (await readLicenses(this.deps.db, [licenseId], null)).get(licenseId);
    // The key's license may come from the cache: a key rotated since then opens nothing.
    const staleKey = keyHash !== null && license?.keyHash !== keyHash;
    if (staleKey && input.product) this.#keys.evict(input.product, keyHash as string);
    if (!license || staleKey) return invalid('LICENSE_NOT_FOUND', REFUSAL_DETAIL.LICENSE_NOT_FOUND);
    const refusal = licenseRefusal(license, now);
    const used = (await this.deps.seats.seatsInUse([licenseId])).get(licenseId) ?? 0;
    const { terms } = license;
    return {
      valid: refusal === null && sessionGone === null,
      code: refusal ?? sessionGone?.code ?? null,
      detail: refusal ? REFUSAL_DETAIL[refusal] : (sessionGone?.detail ?? null),
      license: {
        id: licenseId,
        product: terms.productCode,
        status: refusal === 'LICENSE_EXPIRED' ? 'expired' : license.status,
        expiresAt: license.expiresAt?.toISOString() ?? null,
        seatBasis: terms.seatBasis,
        seats: { used, total: terms.seats, overage: terms.overage },
        entitlements: terms.entitlements,
      },
    };
  }

  /**
   * Why the session a token was issued for no longer holds a seat, or null while it
   * does. The token's signature may still verify offline; the online answer must not
   * call a seat that was given back valid.
   */
  async #sessionGone(sessionId: string, now: Date): Promise<{ code: string; detail: string } | null> {
    const row = await sessionRepository.findEnd(this.deps.db, sessionId);
    if (!row) return { code: 'SESSION_NOT_FOUND', detail: 'The session this token was issued for does not exist.' };
    if (row.endedAt) {
      const how = row.endReason ? ` (${row.endReason})` : '';
      return {
        code: 'SESSION_NOT_FOUND',
        detail: `The session this token was issued for ended at ${row.endedAt.toISOString()}${how}: its seat is no longer held. Acquire a seat again.`,
      };
    }
    if (row.expiresAt <= now) {
      return {
        code: 'SESSION_EXPIRED',
        detail: `The session this token was issued for expired at ${row.expiresAt.toISOString()} without a heartbeat: its seat is no longer held.`,
      };
    }
    return null;
  }

  #leaseView(s: LiveSession) {
    const graceUntil = this.deps.tokens.offlineGraceUntil({
      leaseExpiresAt: s.expiresAt,
      offlineGraceSeconds: s.terms.offlineGraceSeconds,
      borrowedUntil: s.borrowedUntil,
    });
    return {
      sessionId: s.sessionId,
      leaseToken: s.leaseToken,
      expiresAt: s.expiresAt.toISOString(),
      offlineGraceUntil: graceUntil.toISOString(),
      heartbeatIntervalSeconds: s.terms.heartbeatIntervalSeconds,
    };
  }
}

/**
 * One seat per CI job: the fingerprint of a CI seat is derived from the verified token's
 * issuer, repository, run and attempt, and the job's name (the client's `ciJob`
 * fingerprint component), so a job's processes share one seat and a re-run takes its own.
 * The SDKs compute the same to check the lease token's binding.
 */
function ciJobFingerprint(claims: Pick<WorkloadClaims, 'issuer' | 'repository' | 'runId' | 'runAttempt'>, job: string): string {
  return sha256(['leasehold-ci-job', claims.issuer, claims.repository, claims.runId, claims.runAttempt, job].join('\n'));
}

function refused(code: LicenseRefusal): LeaseholdError {
  return new LeaseholdError(code, REFUSAL_DETAIL[code]);
}

function sessionNotFound(): LeaseholdError {
  return new LeaseholdError('SESSION_NOT_FOUND', 'No live session matches this ID and secret. It may have been released; acquire a seat again.');
}

function invalid(code: string, detail: string): ValidateResponse {
  return { valid: false, code, detail, license: null };
}
