import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { discover } from './discovery.js';

export interface ExternalIssuerConfig {
  issuer: string;
  audience: string;
  /** The JWKS URL; found through the issuer's discovery document when null. */
  jwksUrl: string | null;
  algorithms: string[];
  /** A dotted path to the claim naming the tenant, e.g. `firebase.tenant` for Identity Platform. */
  tenantClaim: string | null;
}

/** What a verified token of the external issuer says about its bearer. */
export interface ExternalPrincipal {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  tenant: string | null;
}

/**
 * Verifies bearer tokens minted by an external issuer (Identity Platform, Auth0,
 * Keycloak, Firebase Auth…) against its JWKS. jose caches the key set, fetches it
 * again when a token names an unknown `kid`, and not more often than the cooldown.
 */
export class ExternalIssuer {
  #jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  constructor(
    private readonly config: ExternalIssuerConfig,
    private readonly leewaySeconds: number,
  ) {}

  get issuer(): string {
    return this.config.issuer;
  }

  async verify(token: string, now: Date): Promise<ExternalPrincipal> {
    const { payload } = await jwtVerify(token, await this.#keySet(), {
      issuer: this.config.issuer,
      audience: this.config.audience,
      algorithms: this.config.algorithms,
      currentDate: now,
      clockTolerance: this.leewaySeconds,
      requiredClaims: ['sub', 'exp'],
    });
    const tenant = this.config.tenantClaim ? claimAt(payload, this.config.tenantClaim) : null;
    return {
      subject: payload.sub as string,
      email: typeof payload.email === 'string' ? payload.email.toLowerCase() : null,
      emailVerified: payload.email_verified === true,
      name: typeof payload.name === 'string' ? payload.name : null,
      tenant: typeof tenant === 'string' && tenant.length > 0 ? tenant : null,
    };
  }

  async #keySet() {
    if (!this.#jwks) {
      const url = this.config.jwksUrl ?? (await discover(`${this.config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)).jwks_uri;
      this.#jwks = createRemoteJWKSet(new URL(url), {
        // Refetch on an unknown kid at most every 30 s; otherwise keep keys for 10 minutes.
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        timeoutDuration: 5_000,
      });
    }
    return this.#jwks;
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
