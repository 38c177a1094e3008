import { createRemoteJWKSet, jwtVerify } from 'jose';
import { LeaseholdError } from '../kernel/errors.js';
import { discover } from './discovery.js';
import { type ExternalProfile, postForm, type SignInProvider } from './sign-in-provider.js';

export interface OidcProviderConfig {
  name: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
}

/** Asymmetric algorithms only: `none` and HMAC (keyed with our client secret) are never accepted for ID tokens. */
const ACCEPTED = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Sign-in with an OpenID Connect provider (Google, or any issuer found by its
 * discovery URL): authorization code with PKCE, `state` and `nonce`; the ID token
 * is verified against the provider's JWKS.
 */
export class OidcSignIn implements SignInProvider {
  #jwks: { uri: string; set: ReturnType<typeof createRemoteJWKSet> } | null = null;

  constructor(
    private readonly config: OidcProviderConfig,
    private readonly leewaySeconds: number,
  ) {}

  get name(): string {
    return this.config.name;
  }

  async authorizationUrl(request: { state: string; codeChallenge: string; nonce: string; redirectUri: string }): Promise<string> {
    const metadata = await discover(this.config.discoveryUrl);
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: request.redirectUri,
      scope: this.config.scopes,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async finish(request: { code: string; codeVerifier: string; nonce: string; redirectUri: string; now: Date }): Promise<ExternalProfile> {
    const metadata = await discover(this.config.discoveryUrl);
    const { status, body } = await postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    });
    if (status !== 200 || typeof body.id_token !== 'string') {
      throw new LeaseholdError('SIGN_IN_FAILED', `The provider refused the code (${String(body.error ?? `HTTP ${status}`)}).`);
    }
    const algorithms = (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) => ACCEPTED.includes(a));
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(body.id_token, this.#keySet(metadata.jwks_uri), {
        issuer: metadata.issuer,
        audience: this.config.clientId,
        algorithms,
        currentDate: request.now,
        clockTolerance: this.leewaySeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      throw new LeaseholdError('SIGN_IN_FAILED', `The provider's ID token was refused (${(error as Error).message}).`);
    }
    if (payload.nonce !== request.nonce) throw new LeaseholdError('SIGN_IN_FAILED', "The ID token's nonce does not match this sign-in.");
    // OIDC Core §3.1.3.7: with several audiences, azp must be us.
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== this.config.clientId) {
      throw new LeaseholdError('SIGN_IN_FAILED', 'The ID token was issued to another client.');
    }
    const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : null;
    return {
      provider: this.config.name,
      subject: payload.sub as string,
      email,
      emailVerified: email !== null && payload.email_verified === true,
      name: typeof payload.name === 'string' ? payload.name : null,
    };
  }

  #keySet(uri: string) {
    if (this.#jwks?.uri !== uri) this.#jwks = { uri, set: createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) };
    return this.#jwks.set;
  }
}
