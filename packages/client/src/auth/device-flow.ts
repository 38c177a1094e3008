import { type Clock, systemClock } from '../clock.js';
import { LeaseholdError } from '../errors/errors.js';
import type { FetchLike } from '../http/fetch-like.js';
import { Transport } from '../http/transport.js';
import { defaultStateDir } from '../state/config-dir.js';
import { normaliseServerUrl } from '../state/lease-state.js';
import { clearCredentials, loadCredentials, type StoredCredentials, saveCredentials } from './credentials.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * What the person has to do to finish signing in (RFC 8628 §3.2).
 *
 * @example
 * ```ts
 * onUserCode: (c: DeviceCodePrompt) => console.log(`Open ${c.verificationUri} and enter ${c.userCode}`)
 * ```
 */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresInSeconds: number;
}

/**
 * Options shared by the sign-in calls.
 *
 * @example
 * ```ts
 * const auth: AuthOptions = { serverUrl: 'https://lic.example.com', clientId: 'leasehold-cli' };
 * ```
 */
export interface AuthOptions {
  serverUrl: string;
  /** The OAuth client id of the program. Default `leasehold-cli`. */
  clientId?: string;
  stateDir?: string;
  fetch?: FetchLike;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  env?: Record<string, string | undefined>;
}

/**
 * Options of {@link deviceLogin}.
 *
 * @example
 * ```ts
 * await deviceLogin({ serverUrl, onUserCode: (p) => console.log(p.userCode) });
 * ```
 */
export interface DeviceLoginOptions extends AuthOptions {
  scope?: string;
  /** Called once with the code to show the person. */
  onUserCode: (prompt: DeviceCodePrompt) => void;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function transportFor(options: AuthOptions): Transport {
  return new Transport({
    serverUrl: options.serverUrl,
    clock: options.clock ?? systemClock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}

/**
 * Signs a person in with the OAuth 2.0 device authorization grant (RFC 8628):
 * asks for a code, shows it through `onUserCode`, polls until the person approves
 * in a browser, and stores the tokens (mode 0600) for later acquires.
 *
 * @example
 * ```ts
 * const creds = await deviceLogin({
 *   serverUrl: 'https://lic.example.com',
 *   onUserCode: ({ verificationUriComplete, verificationUri, userCode }) =>
 *     console.log(`Open ${verificationUriComplete ?? verificationUri} and confirm code ${userCode}`),
 * });
 * ```
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<StoredCredentials> {
  const clientId = options.clientId ?? 'leasehold-cli';
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const transport = transportFor(options);
  const { body: code } = await transport.postJson<Record<string, unknown>>(
    '/auth/device/code',
    { client_id: clientId, ...(options.scope ? { scope: options.scope } : {}) },
    { form: true },
  );
  if (typeof code.device_code !== 'string' || typeof code.user_code !== 'string' || typeof code.verification_uri !== 'string') {
    throw new LeaseholdError('PROTOCOL_ERROR', 'The server did not return a device code.');
  }
  const expiresIn = typeof code.expires_in === 'number' ? code.expires_in : 600;
  options.onUserCode({
    userCode: code.user_code,
    verificationUri: code.verification_uri,
    verificationUriComplete: typeof code.verification_uri_complete === 'string' ? code.verification_uri_complete : null,
    expiresInSeconds: expiresIn,
  });
  let interval = (typeof code.interval === 'number' ? code.interval : 5) * 1000;
  const deadline = clock.now() + expiresIn * 1000;
  while (clock.now() < deadline) {
    await sleep(interval);
    const { body, status } = await transport.postJson<TokenAnswer>(
      '/auth/token',
      { grant_type: DEVICE_GRANT, device_code: code.device_code, client_id: clientId },
      { form: true, acceptStatus: (s) => s === 400 || s === 401 },
    );
    if (status === 200 && typeof body.access_token === 'string') {
      return storeTokens(options, clientId, body, clock);
    }
    switch (body.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval += 5000;
        continue;
      case 'access_denied':
        throw new LeaseholdError('LOGIN_FAILED', 'The sign-in was declined in the browser.');
      case 'expired_token':
        throw new LeaseholdError('LOGIN_FAILED', 'The sign-in code expired before it was confirmed. Run the login again.');
      default:
        throw new LeaseholdError('LOGIN_FAILED', `The sign-in failed: ${body.error_description ?? body.error ?? `HTTP ${status}`}.`);
    }
  }
  throw new LeaseholdError('LOGIN_FAILED', 'The sign-in code expired before it was confirmed. Run the login again.');
}

async function storeTokens(options: AuthOptions, clientId: string, body: TokenAnswer, clock: Clock) {
  const creds: StoredCredentials = {
    version: 1,
    serverUrl: normaliseServerUrl(options.serverUrl),
    clientId,
    accessToken: body.access_token as string,
    refreshToken: body.refresh_token ?? null,
    expiresAt: clock.now() + (body.expires_in ?? 3600) * 1000,
  };
  await saveCredentials(options.stateDir ?? defaultStateDir(options.env), creds);
  return creds;
}

/**
 * The stored access token, refreshed first when it is about to expire; `null`
 * when nobody signed in (or the refresh was refused).
 *
 * @example
 * ```ts
 * const token = await currentAccessToken({ serverUrl });
 * ```
 */
export async function currentAccessToken(options: AuthOptions): Promise<string | null> {
  const stateDir = options.stateDir ?? defaultStateDir(options.env);
  const clock = options.clock ?? systemClock;
  const creds = await loadCredentials(stateDir, options.serverUrl);
  if (!creds) return null;
  if (creds.expiresAt - 30_000 > clock.now()) return creds.accessToken;
  if (!creds.refreshToken) return null;
  const { body, status } = await transportFor(options).postJson<TokenAnswer>(
    '/auth/token',
    { grant_type: 'refresh_token', refresh_token: creds.refreshToken, client_id: creds.clientId },
    { form: true, acceptStatus: (s) => s === 400 || s === 401 },
  );
  if (status !== 200 || typeof body.access_token !== 'string') {
    await clearCredentials(stateDir, options.serverUrl);
    return null;
  }
  const renewed = await storeTokens({ ...options, stateDir }, creds.clientId, { ...body, refresh_token: body.refresh_token ?? creds.refreshToken }, clock);
  return renewed.accessToken;
}

/**
 * Signs out: asks the server to revoke the refresh token, then forgets the
 * tokens here even if the server cannot be reached.
 *
 * @example
 * ```ts
 * await logout({ serverUrl });
 * ```
 */
export async function logout(options: AuthOptions): Promise<{ revoked: boolean }> {
  const stateDir = options.stateDir ?? defaultStateDir(options.env);
  const creds = await loadCredentials(stateDir, options.serverUrl);
  let revoked = false;
  if (creds?.refreshToken) {
    try {
      await transportFor(options).postJson('/auth/logout', { refresh_token: creds.refreshToken, client_id: creds.clientId }, { retry: { attempts: 2 } });
      revoked = true;
    } catch {
      // The local tokens are forgotten regardless; the refresh token expires on its own.
    }
  }
  await clearCredentials(stateDir, options.serverUrl);
  return { revoked };
}
