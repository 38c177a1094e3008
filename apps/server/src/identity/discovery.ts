import { type Clock, systemClock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';

/** The parts of an OpenID Provider's metadata (OpenID Connect Discovery 1.0) that sign-in uses. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
}

const cache = new Map<string, { at: number; metadata: Promise<ProviderMetadata> }>();
const TTL_MS = 3_600_000;

/** Fetches and checks a discovery document, keeping it an hour (a failed fetch is not kept). */
export function discover(url: string, fetchImpl: typeof fetch = fetch, clock: Clock = systemClock): Promise<ProviderMetadata> {
  const now = clock.now().getTime();
  const hit = cache.get(url);
  if (hit && now - hit.at < TTL_MS) return hit.metadata;
  const metadata = load(url, fetchImpl);
  cache.set(url, { at: now, metadata });
  metadata.catch(() => cache.delete(url));
  return metadata;
}

async function load(url: string, fetchImpl: typeof fetch): Promise<ProviderMetadata> {
  const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new LeaseholdError('SERVICE_UNAVAILABLE', `The identity provider's discovery document answered HTTP ${response.status}.`);
  const body = (await response.json()) as Partial<ProviderMetadata>;
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof body[field] !== 'string') throw new LeaseholdError('SERVICE_UNAVAILABLE', `The identity provider's discovery document lacks ${field}.`);
  }
  // OpenID Connect Discovery §4.3: the document must be the issuer's own.
  const expected = url.replace(/\/\.well-known\/openid-configuration$/, '');
  if (expected !== url && body.issuer?.replace(/\/+$/, '') !== expected.replace(/\/+$/, '')) {
    throw new LeaseholdError('SERVICE_UNAVAILABLE', 'The discovery document names another issuer.');
  }
  return body as ProviderMetadata;
}
