import type { Clock } from '../clock.js';
import type { FingerprintProbes } from '../fingerprint/probes.js';
import type { FetchLike } from '../http/fetch-like.js';
import type { RetryPolicy } from '../http/retry.js';
import type { JsonWebKeySet } from '../token/jwks.js';

/**
 * Everything a {@link LeaseClient} can be told. Only `serverUrl` and `product` are
 * required; the clock, `fetch`, the state directory and the hardware probes are
 * injectable for tests.
 *
 * @example
 * ```ts
 * const options: LeaseClientOptions = {
 *   serverUrl: 'https://lic.example.com',
 *   product: 'coditect',
 *   licenseKey: process.env.CODITECT_LICENSE_KEY,
 *   jwks: shippedJwks,
 * };
 * ```
 */
export interface LeaseClientOptions {
  /** The license server, e.g. `https://lic.example.com`. */
  serverUrl: string;
  /** The product code, e.g. `coditect`. Lease tokens must carry it as `aud`. */
  product: string;
  /** The license key. Without it, the key stored by `leasehold activate`, then a signed-in user's token, is used. */
  licenseKey?: string | undefined;
  /** Store `licenseKey` in the cached state, so later runs without a key use it (`leasehold activate`). */
  rememberLicenseKey?: boolean;
  /**
   * Without a license key, take the seat as a CI job when the environment has a workload
   * identity token: GitHub Actions' (with `permissions: id-token: write`) or
   * `LEASEHOLD_CI_TOKEN`. Default `true`.
   */
  ciIdentity?: boolean;
  /**
   * When every seat is taken, wait up to this many seconds for one in the server's seat
   * queue (seats that free go to waiters in order) instead of failing at once; the
   * `queued` event tells the place. Default 0: fail with NoSeatAvailableError.
   */
  wait?: number;
  /** A user's access token, or a function returning one (device sign-in by default). */
  accessToken?: string | (() => Promise<string | null>) | undefined;
  /**
   * The server's public keys, shipped with the program. Offline, only these verify
   * the cached token (keys fetched online are used while online). Without them,
   * keys fetched from `/.well-known/jwks.json` are trusted on first use and cached.
   */
  jwks?: JsonWebKeySet | undefined;
  /** The server's public URL as it signs tokens (`iss`); not checked when omitted. */
  issuer?: string | undefined;
  /** A fixed fingerprint for containers and VMs (else `LEASEHOLD_FINGERPRINT`, else the hardware). */
  fingerprint?: string | undefined;
  fingerprintSalt?: string;
  probes?: FingerprintProbes;
  /** Where cached state lives. Default: the platform config dir (see `defaultStateDir`). */
  stateDir?: string | undefined;
  clock?: Clock;
  fetch?: FetchLike;
  /** Waits between retries. */
  sleep?: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
  /**
   * The bound on every call to the server, retries included: within it a call
   * settles, online, offline on the cached token, or with `SERVER_UNREACHABLE`.
   * Default `LEASEHOLD_TIMEOUT_SECONDS`, else 30 s.
   */
  timeoutSeconds?: number;
  /** The environment, read once: `LEASEHOLD_FINGERPRINT`, `LEASEHOLD_CONFIG_DIR`, `LEASEHOLD_HOSTNAME`, `LEASEHOLD_TIMEOUT_SECONDS`. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Reported to the server, e.g. `coditect/2.3.1`. */
  clientVersion?: string;
  /** Reported to the server so colleagues see who holds a seat. Default `LEASEHOLD_HOSTNAME`, else the OS hostname. */
  hostname?: string;
  /** Renew the lease in the background. Default `true`. */
  heartbeat?: boolean;
  /** Release the seat when the process ends or gets SIGINT/SIGTERM/SIGHUP. Default `true`. */
  releaseOnExit?: boolean;
  /** Fall back on the cached token when the server cannot be reached. Default `true`. */
  allowOffline?: boolean;
  /** How far the clock may go back before it counts as set back. Default 300 s. */
  clockToleranceSeconds?: number;
}
