import { readFileSync } from 'node:fs';
import type { JsonWebKeySet, LeaseClientOptions } from '@leasehold/client';

/**
 * CODITECT's licensing settings, from the environment. A real build would ship
 * its server URL and JWKS inside the program; here they can be pointed at any server.
 *
 * @example
 * ```ts
 * const client = new LeaseClient(licensingOptions(process.env));
 * ```
 */
export function licensingOptions(env: Record<string, string | undefined>): LeaseClientOptions {
  const jwksPath = env.CODITECT_JWKS;
  const jwks = jwksPath ? (JSON.parse(readFileSync(jwksPath, 'utf8')) as JsonWebKeySet) : undefined;
  return {
    serverUrl: env.LEASEHOLD_URL ?? 'http://127.0.0.1:8080',
    product: env.LEASEHOLD_PRODUCT ?? 'coditect',
    licenseKey: env.CODITECT_LICENSE_KEY || undefined,
    jwks,
    env,
    clientVersion: 'coditect/0.1.0',
  };
}
