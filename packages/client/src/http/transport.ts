import type { Clock } from '../clock.js';
import { ServerUnreachableError } from '../errors/errors.js';
import { errorFromProblem } from '../errors/from-problem.js';
import { credentialHeaders } from './credential-headers.js';
import type { FetchLike } from './fetch-like.js';
import { nodeRequest } from './node-request.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js';

/**
 * What the transport needs, injected.
 *
 * @example
 * ```ts
 * const transport = new Transport({ serverUrl: 'http://127.0.0.1:8080', fetch, clock: systemClock });
 * ```
 */
export interface TransportOptions {
  serverUrl: string;
  fetch?: FetchLike;
  clock: Clock;
  retry?: RetryPolicy;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * The bound on one call, retries and waits included: past it the call settles
   * with {@link ServerUnreachableError}. Default 30 000 ms.
   */
  deadlineMs?: number;
  /** Waits between retries; tests pass one that resolves at once. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  userAgent?: string;
}

/**
 * A successful answer: the parsed body and the server's `Date`, for drift checks.
 *
 * @example
 * ```ts
 * const { body, serverDate } = await transport.postJson('/api/v1/licenses/validate', { product, licenseKey });
 * ```
 */
export interface TransportResponse<T> {
  body: T;
  status: number;
  serverDate: Date | null;
}

/**
 * Per-call choices.
 *
 * @example
 * ```ts
 * await transport.postJson(path, body, { bearer: accessToken, retry: { attempts: 1 } });
 * ```
 */
export interface RequestOptions {
  bearer?: string;
  /** A whole `Authorization` header of another scheme (`Workload <token>` for a CI job). */
  authorization?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** The bound on this call, retries included (see {@link TransportOptions.deadlineMs}). */
  deadlineMs?: number;
  /**
   * A call nobody awaits (the background heartbeat): its timers are unref'd so it
   * never keeps a finished program alive.
   */
  background?: boolean;
  /** Send `application/x-www-form-urlencoded` (OAuth endpoints) instead of JSON. */
  form?: boolean;
  /** Return 4xx bodies instead of throwing (OAuth error answers are data). */
  acceptStatus?: (status: number) => boolean;
}

// Not unref'd: the program is awaiting this call, so the wait must keep the process alive.
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const backgroundSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Sends requests to the license server with retries: exponential backoff with
 * jitter on network errors, 5xx and 429 (honouring `Retry-After`); a 4xx answer
 * is a decision and becomes a typed {@link ServerError} at once.
 *
 * @example
 * ```ts
 * const transport = new Transport({ serverUrl, clock: systemClock });
 * const { body } = await transport.postJson<AcquireResponse>('/api/v1/licenses/acquire', request);
 * ```
 */
export class Transport {
  readonly serverUrl: string;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.#options = options;
  }

  /** POSTs a body and returns the parsed JSON answer. */
  postJson<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<TransportResponse<T>> {
    return this.request<T>('POST', path, body, options);
  }

  /** GETs a JSON document. */
  getJson<T>(path: string, options: RequestOptions = {}): Promise<TransportResponse<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  async request<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<TransportResponse<T>> {
    const policy = { ...this.#options.retry, ...options.retry };
    const attempts = Math.max(1, policy.attempts ?? 4);
    const sleep = this.#options.sleep ?? (options.background ? backgroundSleep : defaultSleep);
    const random = this.#options.random ?? Math.random;
    const url = `${this.serverUrl}${path}`;
    const deadline = Date.now() + (options.deadlineMs ?? this.#options.deadlineMs ?? 30_000);
    const perTry = options.timeoutMs ?? this.#options.timeoutMs ?? 10_000;
    let lastFailure: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let response: Response;
      try {
        response = await this.#send(method, url, body, options, Math.min(perTry, left));
      } catch (error) {
        lastFailure = error;
        if (attempt + 1 < attempts && !(await waitWithin(sleep, backoffDelay(attempt, policy, random, null), deadline))) break;
        continue;
      }
      const serverDate = parseDate(response.headers.get('date'));
      if (response.ok || options.acceptStatus?.(response.status)) {
        const parsed = await readBody(response);
        return { body: parsed as T, status: response.status, serverDate };
      }
      const problem = await readBody(response).catch(() => null);
      const problemObject = (problem && typeof problem === 'object' ? problem : {}) as Record<string, unknown>;
      const retryable = response.status >= 500 || response.status === 429;
      const error = errorFromProblem(response.status, problemObject, new Date(this.#options.clock.now()));
      if (!retryable) throw error;
      lastFailure = error;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#options.clock.now());
      if (retryAfter !== null && retryAfter > (policy.maxRetryAfterMs ?? 60_000)) break;
      if (attempt + 1 < attempts && !(await waitWithin(sleep, backoffDelay(attempt, policy, random, retryAfter), deadline))) break;
    }
    throw new ServerUnreachableError(unreachableMessage(this.serverUrl, lastFailure), { cause: lastFailure });
  }

  async #send(method: string, url: string, body: unknown, options: RequestOptions, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#options.userAgent) headers['user-agent'] = this.#options.userAgent;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    if (options.authorization) headers.authorization = options.authorization;
    let payload: string | undefined;
    if (body !== undefined) {
      if (options.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(body as Record<string, string>).toString();
      } else {
        const moved = credentialHeaders(body, options.bearer !== undefined || options.authorization !== undefined);
        Object.assign(headers, moved.headers);
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(moved.body);
      }
    }
    const fetchImpl = this.#options.fetch ?? nodeRequest;
    // A ref'd timer, unlike AbortSignal.timeout(): a server that accepts and never
    // answers must end in an error the program sees, not in the process quietly exiting.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    if (options.background) timer.unref();
    try {
      const response = await fetchImpl(url, { method, headers, body: payload, signal: controller.signal });
      // The body is read after this returns: keep the timer until it has arrived.
      const text = await response.text();
      const empty = text === '' || [204, 205, 304].includes(response.status);
      return new Response(empty ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sleeps `ms`, unless that would pass the deadline: then returns false at once. */
async function waitWithin(sleep: (ms: number) => Promise<void>, ms: number, deadline: number): Promise<boolean> {
  if (Date.now() + ms >= deadline) return false;
  await sleep(ms);
  return true;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

function unreachableMessage(serverUrl: string, failure: unknown): string {
  if (failure instanceof Error && 'status' in failure) {
    // The server's own words only: the advice is this sentence's.
    const problem = (failure as { problem?: Record<string, unknown> }).problem ?? {};
    const said = [problem.detail, problem.title].find((t): t is string => typeof t === 'string' && t.trim() !== '');
    const status = (failure as { status: number }).status;
    return `The license server at ${serverUrl} is not answering properly (HTTP ${status}${said ? `: ${said.trim().replace(/\.$/, '')}` : ''}). Try again in a few minutes.`;
  }
  const cause = failure instanceof Error ? (failure.cause instanceof Error ? failure.cause.message : failure.message) : '';
  return `Cannot reach the license server at ${serverUrl}${cause ? ` (${cause})` : ''}. Check your network connection, proxy or firewall.`;
}
