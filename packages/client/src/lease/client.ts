import { EventEmitter } from 'node:events';
import { currentAccessToken } from '../auth/device-flow.js';
import { workloadIdentity } from '../ci/workload-identity.js';
import { type Clock, systemClock } from '../clock.js';
import {
  ClockRollbackError,
  LeaseholdError,
  type OfflineGraceExpiredError,
  ServerError,
  ServerUnreachableError,
  TokenVerificationError,
} from '../errors/errors.js';
import { computeFingerprint, type Fingerprint } from '../fingerprint/fingerprint.js';
import { Transport, type TransportResponse } from '../http/transport.js';
import { defaultStateDir } from '../state/config-dir.js';
import type { LeaseState } from '../state/lease-state.js';
import type { JsonWebKeySet } from '../token/jwks.js';
import { decodeLeaseTokenUnverified, type VerifiedLeaseToken, verifyLeaseToken } from '../token/verify.js';
import type { LeaseEvents } from './events.js';
import { type ExitReleasable, registerExitRelease, unregisterExitRelease } from './exit-hooks.js';
import { HeartbeatScheduler } from './heartbeat-scheduler.js';
import { LeaseKeys } from './lease-keys.js';
import { type LeaseEffect, type LeaseInput, LeaseMachine, type LeaseSnapshot, TERMINAL_LICENSE_CODES } from './lease-machine.js';
import { LeasePersistence } from './lease-persistence.js';
import { clockRollback, graceExpired } from './offline-checks.js';
import type { LeaseClientOptions } from './options.js';
import { acquireInLine, callDeadlineMs, checkedLicenseKey, seatRequest } from './seat-request.js';
import type { CachedLease, LeaseMode, LeaseStatus } from './status.js';
import { postSynchronously } from './sync-release.js';
import { type BorrowAnswer, type HeartbeatAnswer, PATHS, type ValidateAnswer } from './wire.js';

/** A heartbeat refused with these while offline means the cached session is gone, not the license. */
const STALE_SESSION_CODES = new Set(['SESSION_NOT_FOUND', 'SESSION_EXPIRED']);

/**
 * A seat of one product on one license server: acquire it, keep it alive with
 * background heartbeats (that never keep the process alive), work offline on
 * the cached, locally verified lease token up to its grace deadline, borrow it,
 * and give it back on exit.
 *
 * @example
 * ```ts
 * import { LeaseClient } from '@leasehold/client';
 *
 * const client = new LeaseClient({ serverUrl: 'https://lic.example.com', product: 'coditect', jwks });
 * client.on('lost', (error) => { console.error(error.message); process.exit(6); });
 * const lease = await client.acquire();
 * if (!lease.entitlements.includes('pro')) console.log('Pro features are off.');
 * // ... work; the seat is released when the program ends.
 * ```
 */
export class LeaseClient extends EventEmitter<LeaseEvents> {
  readonly product: string;
  readonly serverUrl: string;
  readonly stateDir: string;
  readonly #options: LeaseClientOptions;
  readonly #clock: Clock;
  /** The bound on every call; a held poll of the seat queue gets its hold on top. */
  readonly #deadlineMs: number;
  readonly #transport: Transport;
  readonly #persistence: LeasePersistence;
  readonly #machine: LeaseMachine;
  readonly #keys: LeaseKeys;
  readonly #env: Record<string, string | undefined>;
  #fingerprint: Fingerprint | null = null;
  #state: LeaseState | null = null;
  #claims: VerifiedLeaseToken['claims'] | null = null;
  #mode: LeaseMode = 'idle';
  #error: LeaseholdError | null = null;
  #lastRenewedAt: Date | null = null;
  #seats: LeaseStatus['seats'] = null;
  #ci: LeaseStatus['ci'] = null;
  readonly #scheduler = new HeartbeatScheduler(() => void this.#tick());
  #exitHook: ExitReleasable | null = null;
  /** Set while the seat is given back because the process ends (see assertLicensed). */
  #exitStatus: LeaseStatus | null = null;

  constructor(options: LeaseClientOptions) {
    super();
    if (!options.serverUrl) throw new TypeError('serverUrl is required');
    if (!options.product) throw new TypeError('product is required');
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.product = options.product;
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.stateDir = options.stateDir ?? defaultStateDir(this.#env);
    this.#clock = options.clock ?? systemClock;
    this.#deadlineMs = callDeadlineMs(options.timeoutSeconds, this.#env.LEASEHOLD_TIMEOUT_SECONDS);
    this.#persistence = new LeasePersistence(this.stateDir, this.serverUrl, this.product, this.#clock);
    this.#machine = new LeaseMachine({
      serverUrl: this.serverUrl,
      clockToleranceMs: (options.clockToleranceSeconds ?? 300) * 1000,
      heartbeats: options.heartbeat !== false,
      releaseOnExit: options.releaseOnExit !== false,
    });
    this.#transport = new Transport({
      serverUrl: this.serverUrl,
      clock: this.#clock,
      userAgent: `leasehold-client/0.1.0${options.clientVersion ? ` ${options.clientVersion}` : ''}`,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      deadlineMs: this.#deadlineMs,
    });
    this.#keys = new LeaseKeys({ pinned: options.jwks, issuer: options.issuer, transport: this.#transport, state: () => this.#state });
  }

  /** This machine's fingerprint for the product (computed once). */
  async fingerprint(): Promise<Fingerprint> {
    this.#fingerprint ??= await computeFingerprint({
      product: this.product,
      override: this.#options.fingerprint,
      env: this.#env,
      ...(this.#options.fingerprintSalt ? { salt: this.#options.fingerprintSalt } : {}),
      ...(this.#options.probes ? { probes: this.#options.probes } : {}),
    });
    return this.#fingerprint;
  }

  /**
   * Takes a seat. Online: asks the server, verifies the token, caches it and
   * starts heartbeats. Server unreachable: carries on with the cached token until
   * its offline-grace deadline. A refusal (no seat, revoked, …) throws a typed error.
   */
  async acquire(): Promise<LeaseStatus> {
    const fp = await this.fingerprint();
    const state = (await this.#persistence.load()) ?? this.#persistence.fresh();
    this.#state = state;
    const borrowed = this.#usableBorrow(state, fp.fingerprint);
    if (borrowed) {
      this.#claims = borrowed.claims;
      await this.#step({ type: 'borrow-found' });
      return this.status();
    }
    try {
      await this.#acquireOnline(fp);
    } catch (error) {
      if (!(error instanceof ServerUnreachableError) || this.#options.allowOffline === false) {
        if (error instanceof ServerError && TERMINAL_LICENSE_CODES.has(error.code)) await this.#forgetSession();
        throw error;
      }
      this.#continueOffline(error);
      return this.status();
    }
    return this.status();
  }

  /**
   * Renews the lease now (the background loop calls this at the server's interval).
   * After an offline start without a session, it takes a seat instead.
   */
  async heartbeat(): Promise<LeaseStatus> {
    return this.#heartbeat(false);
  }

  async #heartbeat(background: boolean): Promise<LeaseStatus> {
    if (this.#mode === 'offline' && !this.#state?.sessionId) return this.#recoverOnline();
    const state = this.#requireSession();
    let answer: TransportResponse<HeartbeatAnswer>;
    try {
      answer = await this.#transport.postJson<HeartbeatAnswer>(
        PATHS.heartbeat,
        { sessionId: state.sessionId, sessionSecret: state.sessionSecret },
        { retry: { attempts: 2 }, background },
      );
    } catch (error) {
      // Started offline on the session of a run that did not end cleanly, now gone: take a new seat.
      if (this.#mode === 'offline' && error instanceof ServerError && STALE_SESSION_CODES.has(error.code)) {
        await this.#forgetSession({ keepToken: true });
        return this.#recoverOnline();
      }
      throw error;
    }
    const { body, serverDate } = answer;
    if (body.leaseToken !== state.leaseToken || !this.#claims) {
      this.#claims = (await this.#verifyOnline(body.leaseToken)).claims;
    }
    state.leaseToken = body.leaseToken;
    state.heartbeatIntervalSeconds = body.heartbeatIntervalSeconds;
    this.#noteRenewal(serverDate);
    await this.#step({ type: 'heartbeat-answered' });
    return this.status();
  }

  /** Started offline on the token of an earlier run: take a seat now that the server may be back. */
  async #recoverOnline(): Promise<LeaseStatus> {
    await this.#acquireOnline(await this.fingerprint());
    await this.#step({ type: 'seat-retaken' });
    return this.status();
  }

  /**
   * Gives the seat back now and stops heartbeats. A borrowed seat stays borrowed
   * (use {@link LeaseClient.returnBorrow}); the cached token is forgotten.
   */
  async release(): Promise<void> {
    this.#step({ type: 'release-requested' });
    const state = this.#state ?? (await this.#persistence.load());
    if (!state?.sessionId || !state.sessionSecret) {
      this.#step({ type: 'released' });
      return;
    }
    this.#state = state;
    if (this.#mode === 'borrowed' || this.#usableBorrow(state, (await this.fingerprint()).fingerprint)) return;
    const credentials = { sessionId: state.sessionId, sessionSecret: state.sessionSecret };
    // The last token stays cached: the license's offline grace covers a later start without network.
    await this.#forgetSession({ keepToken: true });
    this.#step({ type: 'released' });
    try {
      // Bounded: a release must never hold up the program's exit for long, least of all offline.
      const offline = this.#error instanceof ServerUnreachableError;
      await this.#transport.postJson(PATHS.release, credentials, {
        retry: { attempts: offline ? 1 : 2 },
        timeoutMs: offline ? 2000 : 5000,
        deadlineMs: offline ? 2000 : 5000,
      });
    } catch (error) {
      // Already gone on the server is what we wanted.
      if (error instanceof ServerError && error.code === 'SESSION_NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * Checks the seat out for offline use for `durationSeconds` (up to the plan's
   * maximum): the seat stays held on the server and the token works offline until then.
   */
  async borrow(durationSeconds: number): Promise<LeaseStatus> {
    if (this.#mode === 'idle') await this.acquire();
    const state = this.#requireSession();
    const { body, serverDate } = await this.#transport.postJson<BorrowAnswer>(PATHS.borrow, {
      sessionId: state.sessionId,
      sessionSecret: state.sessionSecret,
      durationSeconds: Math.round(durationSeconds),
    });
    this.#claims = (await this.#verifyOnline(body.leaseToken)).claims;
    state.leaseToken = body.leaseToken;
    this.#noteRenewal(serverDate);
    await this.#step({ type: 'borrowed' });
    return this.status();
  }

  /** Ends a borrow early and frees the seat on the server. */
  async returnBorrow(): Promise<void> {
    this.#step({ type: 'release-requested' });
    const state = this.#state ?? (await this.#persistence.load());
    if (!state?.sessionId || !state.sessionSecret) {
      throw new LeaseholdError('NOT_LICENSED', 'Nothing is borrowed on this machine.');
    }
    this.#state = state;
    await this.#transport.postJson(PATHS.return, { sessionId: state.sessionId, sessionSecret: state.sessionSecret });
    await this.#forgetSession();
    this.#step({ type: 'released' });
  }

  /** Checks the license key (or the cached token) online without taking a seat. */
  async validate(): Promise<ValidateAnswer> {
    const state = this.#state ?? (await this.#persistence.load());
    const licenseKey = checkedLicenseKey(this.#options.licenseKey ?? state?.licenseKey);
    const body = licenseKey ? { product: this.product, licenseKey } : state?.leaseToken ? { leaseToken: state.leaseToken } : null;
    if (!body) throw this.#notLicensed();
    return (await this.#transport.postJson<ValidateAnswer>(PATHS.validate, body)).body;
  }

  /**
   * The lease right now, judged by the injected clock: an offline lease past its
   * grace deadline reads `lost`, and the `lost` event fires.
   */
  status(): LeaseStatus {
    this.#checkDeadlines();
    const claims = this.#claims;
    const at = (seconds: number | undefined) => (typeof seconds === 'number' ? new Date(seconds * 1000) : null);
    return {
      mode: this.#mode,
      product: this.product,
      serverUrl: this.serverUrl,
      sessionId: this.#state?.sessionId ?? null,
      licenseId: claims?.license_id ?? this.#state?.licenseId ?? null,
      entitlements: claims?.entitlements ?? [],
      leaseExpiresAt: at(claims?.lease_expires_at),
      offlineGraceUntil: at(claims?.exp),
      borrowedUntil: at(claims?.borrowed_until),
      lastRenewedAt: this.#lastRenewedAt,
      heartbeatIntervalSeconds: this.#state?.heartbeatIntervalSeconds ?? null,
      seats: this.#seats,
      fingerprint: this.#fingerprint?.fingerprint ?? null,
      ci: this.#ci,
      error: this.#error,
    };
  }

  /** Throws the reason the program may not use licensed features now, if any. */
  assertLicensed(): LeaseStatus {
    // The process is ending and gives its seat back: its work is licensed until it is gone.
    if (this.#exitStatus) return this.#exitStatus;
    const status = this.status();
    if (status.mode === 'online' || status.mode === 'offline' || status.mode === 'borrowed') return status;
    throw status.error ?? this.#notLicensed();
  }

  /** Stores a license key for this product, so runs without one use it. */
  async rememberLicenseKey(licenseKey: string): Promise<void> {
    this.#state = this.#state ?? (await this.#persistence.load()) ?? this.#persistence.fresh();
    this.#state.licenseKey = licenseKey.trim().toUpperCase();
    await this.#persist();
  }

  /**
   * What is cached on this machine, checked offline without touching the server:
   * the stored key (masked), the session, and the token's verification result.
   */
  async inspectCache(): Promise<CachedLease> {
    const state = await this.#persistence.load();
    const fp = (await this.fingerprint()).fingerprint;
    const key = state?.licenseKey;
    const result: CachedLease = {
      statePath: this.#persistence.path,
      licenseKeyHint: key ? `${key.slice(0, 5)}-…-${key.slice(-5)}` : null,
      sessionId: state?.sessionId ?? null,
      lastRenewedAt: state?.lastSeenAt ? new Date(state.lastSeenAt) : null,
      heartbeatIntervalSeconds: state?.heartbeatIntervalSeconds ?? null,
      claims: null,
      tokenError: null,
    };
    if (!state?.leaseToken) return result;
    result.claims = decodeLeaseTokenUnverified(state.leaseToken);
    const keys = this.#keys.offline(state);
    try {
      if (keys.size === 0 && !this.#keys.pinned) {
        const { body } = await this.#transport.getJson<JsonWebKeySet>(PATHS.jwks, { retry: { attempts: 1 } });
        keys.add(body);
      }
      verifyLeaseToken(state.leaseToken, keys, this.#expectations(fp));
      this.#checkClock(state);
    } catch (error) {
      result.tokenError = error instanceof LeaseholdError ? error : new LeaseholdError('PROTOCOL_ERROR', String(error));
    }
    return result;
  }

  /** Stops heartbeats and exit hooks without releasing the seat (it lapses after the lease TTL). */
  close(): void {
    this.#scheduler.cancel();
    this.#unhookExit();
  }

  // --- online ---------------------------------------------------------------

  async #acquireOnline(machine: Fingerprint): Promise<void> {
    let fp = machine;
    const state = this.#state as LeaseState;
    const licenseKey = checkedLicenseKey(this.#options.licenseKey ?? state.licenseKey);
    // In CI without a key: the job's workload identity token, mapped to a license on the server.
    const ci = licenseKey || this.#options.ciIdentity === false ? null : await workloadIdentity(this.#env, this.serverUrl, this.#options.fetch);
    if (ci) {
      // The seat is the job's: its fingerprint comes from the token, as the server derives it.
      this.#fingerprint = ci.fingerprint;
      fp = ci.fingerprint;
    }
    const bearer = licenseKey || ci ? undefined : await this.#accessToken();
    if (!licenseKey && !bearer && !ci) {
      if (state.sessionId && state.sessionSecret) {
        // Activated earlier without a stored key: resume the cached session.
        await this.heartbeat();
        await this.#step({ type: 'resumed' });
        return;
      }
      throw this.#notLicensed();
    }
    const auth = ci ? { authorization: `Workload ${ci.token}` } : bearer ? { bearer } : {};
    const request = seatRequest({
      product: this.product,
      licenseKey,
      fingerprint: fp,
      hostname: this.#options.hostname ?? this.#env.LEASEHOLD_HOSTNAME,
      clientVersion: this.#options.clientVersion,
    });
    const { body, serverDate } = await acquireInLine(request, auth, {
      transport: this.#transport,
      clock: this.#clock,
      waitSeconds: this.#options.wait ?? 0,
      deadlineMs: this.#deadlineMs,
      onQueued: (place) => this.emit('queued', place),
    });
    let verified: VerifiedLeaseToken;
    try {
      verified = await this.#verifyOnline(body.leaseToken);
    } catch (error) {
      // A token we cannot trust is no seat: give it back rather than hold it.
      await this.#transport
        .postJson(PATHS.release, { sessionId: body.sessionId, sessionSecret: body.sessionSecret }, { retry: { attempts: 1 } })
        .catch(() => undefined);
      throw error;
    }
    Object.assign(state, {
      sessionId: body.sessionId,
      sessionSecret: body.sessionSecret,
      licenseId: body.licenseId,
      leaseToken: body.leaseToken,
      heartbeatIntervalSeconds: body.heartbeatIntervalSeconds,
      leaseTtlSeconds: body.leaseTtlSeconds,
    });
    if (this.#options.rememberLicenseKey && this.#options.licenseKey) state.licenseKey = this.#options.licenseKey;
    this.#claims = verified.claims;
    this.#seats = body.seats;
    this.#ci = body.ci ?? null;
    this.#noteRenewal(serverDate);
    await this.#step({ type: 'acquired' });
  }

  async #accessToken(): Promise<string | null> {
    const given = this.#options.accessToken;
    if (typeof given === 'string') return given;
    if (typeof given === 'function') return given();
    return currentAccessToken({
      serverUrl: this.serverUrl,
      stateDir: this.stateDir,
      clock: this.#clock,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    }).catch(() => null);
  }

  async #verifyOnline(token: string): Promise<VerifiedLeaseToken> {
    const expect = this.#expectations(this.#fingerprint?.fingerprint ?? (await this.fingerprint()).fingerprint);
    return this.#keys.verifyOnline(token, expect);
  }

  /** The server renewed the lease (the machine takes the lease online). */
  #noteRenewal(serverDate: Date | null): void {
    this.#lastRenewedAt = new Date(this.#clock.now());
    if (this.#state && serverDate) this.#state.lastSeenAt = Math.max(this.#state.lastSeenAt, serverDate.getTime());
  }

  // --- offline --------------------------------------------------------------

  #continueOffline(cause: ServerUnreachableError): void {
    const state = this.#state as LeaseState;
    const fp = (this.#fingerprint as Fingerprint).fingerprint;
    if (!state.leaseToken) throw cause;
    this.#checkClock(state);
    const keys = this.#keys.offline(state);
    try {
      this.#claims = verifyLeaseToken(state.leaseToken, keys, this.#expectations(fp)).claims;
      this.#checkClock(state);
    } catch (error) {
      if (error instanceof TokenVerificationError && error.reason === 'expired') {
        // The signature held (expiry is checked after it): the deadline can be shown.
        this.#claims = decodeLeaseTokenUnverified(state.leaseToken);
        throw this.#graceExpired(error);
      }
      throw error;
    }
    this.#keys.forgetFetched();
    this.#step({ type: 'offline-start', error: cause });
  }

  #usableBorrow(state: LeaseState, fingerprint: string): VerifiedLeaseToken | null {
    if (!state.leaseToken) return null;
    try {
      const verified = verifyLeaseToken(state.leaseToken, this.#keys.offline(state), this.#expectations(fingerprint));
      const until = verified.claims.borrowed_until;
      if (typeof until !== 'number' || until * 1000 <= this.#clock.now()) return null;
      this.#claims = verified.claims;
      this.#checkClock(state);
      return verified;
    } catch (error) {
      if (error instanceof ClockRollbackError) throw error;
      return null;
    }
  }

  #checkClock(state: LeaseState): void {
    const tolerance = (this.#options.clockToleranceSeconds ?? 300) * 1000;
    const rollback = clockRollback(this.#clock.now(), state.lastSeenAt, (this.#claims?.iat ?? 0) * 1000, tolerance);
    if (rollback) throw rollback;
  }

  #checkDeadlines(): void {
    this.#step({ type: 'deadline-check', at: this.#clock.now() });
  }

  #graceExpired(cause?: unknown): OfflineGraceExpiredError {
    return graceExpired(this.serverUrl, (this.#claims?.exp ?? 0) * 1000, this.#clock.now(), cause);
  }

  // --- the lease machine ----------------------------------------------------

  #snapshot(): LeaseSnapshot {
    const exp = this.#claims?.exp;
    return {
      mode: this.#mode,
      error: this.#error,
      graceUntil: typeof exp === 'number' ? exp * 1000 : null,
      issuedAt: (this.#claims?.iat ?? 0) * 1000,
      lastSeenAt: this.#state?.lastSeenAt ?? null,
      intervalMs: this.#intervalMs(),
    };
  }

  /**
   * Moves the lease on by one input and performs the effects in order. Effects that
   * need no waiting happen before this returns (so `status()` fires `lost` at once);
   * from the first save on, the rest follow it and the promise settles when they are
   * done. Inputs whose effects never save need not be awaited.
   */
  #step(input: LeaseInput): Promise<void> | undefined {
    const { state, effects } = this.#machine.step(this.#snapshot(), input);
    this.#mode = state.mode;
    this.#error = state.error;
    return this.#perform(effects, 0);
  }

  #perform(effects: readonly LeaseEffect[], from: number): Promise<void> | undefined {
    for (let i = from; i < effects.length; i++) {
      const pending = this.#performOne(effects[i] as LeaseEffect);
      if (pending) return pending.then(() => this.#perform(effects, i + 1));
    }
    return undefined;
  }

  #performOne(effect: LeaseEffect): Promise<void> | undefined {
    switch (effect.type) {
      case 'schedule':
        this.#scheduler.after(effect.delayMs);
        return undefined;
      case 'cancel':
        this.#scheduler.cancel();
        return undefined;
      case 'hook-exit':
        this.#hookExit();
        return undefined;
      case 'unhook-exit':
        this.#unhookExit();
        return undefined;
      case 'persist':
        if (!effect.background) return this.#persist();
        void this.#persist().catch(() => undefined);
        return undefined;
      case 'forget-session':
        return this.#forgetSession().catch(() => undefined);
      case 'lose':
        return this.#step({ type: 'lose', error: effect.error });
      case 'emit':
        if (effect.event === 'offline' || effect.event === 'lost') this.emit(effect.event, effect.error, this.status());
        else this.emit(effect.event, this.status());
        return undefined;
    }
  }

  // --- heartbeat loop -------------------------------------------------------

  #intervalMs(): number {
    return Math.max(1, this.#state?.heartbeatIntervalSeconds ?? 60) * 1000;
  }

  async #tick(): Promise<void> {
    try {
      await this.#heartbeat(true);
      this.#step({ type: 'heartbeat-ok' });
    } catch (error) {
      if (error instanceof ServerUnreachableError) this.#step({ type: 'heartbeat-unreachable', at: this.#clock.now(), error });
      else await this.#step({ type: 'heartbeat-refused', error });
    }
  }

  // --- release on exit ------------------------------------------------------

  async #releaseForExit(): Promise<void> {
    this.#exitHook = null;
    if (this.#mode === 'borrowed') return;
    const status = this.status();
    if (status.mode === 'online' || status.mode === 'offline') this.#exitStatus = status;
    await this.release().catch(() => undefined);
  }

  #releaseSync(): void {
    this.#exitHook = null;
    const state = this.#state;
    // Offline, the server is not answering: blocking the exit on it would only add delay.
    if (this.#mode === 'borrowed' || this.#mode === 'offline' || !state?.sessionId || !state.sessionSecret) return;
    postSynchronously(`${this.serverUrl}${PATHS.release}`, { sessionId: state.sessionId, sessionSecret: state.sessionSecret }, 2000);
    this.#step({ type: 'released' });
  }

  #hookExit(): void {
    if (this.#exitHook) return;
    this.#exitHook = { releaseOnExit: () => this.#releaseForExit(), releaseOnExitSync: () => this.#releaseSync() };
    registerExitRelease(this.#exitHook);
  }

  #unhookExit(): void {
    if (this.#exitHook) unregisterExitRelease(this.#exitHook);
    this.#exitHook = null;
  }

  // --- state ----------------------------------------------------------------

  #requireSession(): LeaseState & { sessionId: string; sessionSecret: string } {
    const state = this.#state;
    if (!state?.sessionId || !state.sessionSecret) throw this.#notLicensed();
    return state as LeaseState & { sessionId: string; sessionSecret: string };
  }

  async #persist(): Promise<void> {
    if (this.#state) await this.#persistence.save(this.#state);
  }

  async #forgetSession(options: { keepToken?: boolean } = {}): Promise<void> {
    if (!this.#state) return;
    if (!options.keepToken) this.#claims = null;
    await this.#persistence.forgetSession(this.#state, options);
  }

  #expectations(fingerprint: string) {
    return {
      product: this.product,
      fingerprint,
      now: this.#clock.now(),
      ...(this.#options.issuer ? { issuer: this.#options.issuer } : {}),
    };
  }

  #notLicensed(): LeaseholdError {
    return new LeaseholdError(
      'NOT_LICENSED',
      `No license for ${this.product} is set up on this machine. Run "leasehold activate <license-key>" or "leasehold login", or pass a license key.`,
    );
  }
}
