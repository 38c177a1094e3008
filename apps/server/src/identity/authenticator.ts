import { decodeJwt } from 'jose';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import type { AccessTokens } from './access-tokens.js';
import type { AccountService } from './account-service.js';
import type { ExternalIssuer } from './external-issuer.js';

/** Who a bearer token stands for. */
export interface Principal {
  userId: string;
  /** `access-token` for our own tokens, `external` for the external issuer's. */
  via: 'access-token' | 'external';
}

/**
 * Turns a bearer token into a user: our own access token, or (when configured) a
 * token of the external issuer. The unverified `iss` only picks which verifier
 * runs; each verifier then checks everything itself, with its own keys and rules.
 */
export class Authenticator {
  constructor(private readonly deps: { clock: Clock; accessTokens: AccessTokens; accounts: AccountService; external: ExternalIssuer | null }) {}

  async authenticate(token: string, ctx: RequestContext): Promise<Principal> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw invalid('The bearer token is not a JWT.');
    }
    const now = this.deps.clock.now();
    const { external } = this.deps;
    if (issuer === this.deps.accessTokens.issuer) {
      let sub: string;
      try {
        sub = (await this.deps.accessTokens.verify(token, now)).sub;
      } catch (error) {
        throw invalid(`The access token was refused: ${reason(error)}.`);
      }
      if (!(await this.deps.accounts.exists(sub))) throw invalid('The user of this token no longer exists.');
      return { userId: sub, via: 'access-token' };
    }
    if (external && issuer === external.issuer) {
      let principal: Awaited<ReturnType<ExternalIssuer['verify']>>;
      try {
        principal = await external.verify(token, now);
      } catch (error) {
        throw invalid(`The token of ${external.issuer} was refused: ${reason(error)}.`);
      }
      const userId = await this.deps.accounts.resolve(
        { provider: 'external', subject: principal.subject, email: principal.email, emailVerified: principal.emailVerified, name: principal.name },
        ctx,
        principal.tenant ? { issuer: external.issuer, tenant: principal.tenant } : null,
      );
      return { userId, via: 'external' };
    }
    throw invalid('The token was issued by an issuer this server does not accept.');
  }
}

const invalid = (detail: string) => new LeaseholdError('TOKEN_INVALID', detail);

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const map: Record<string, string> = {
    ERR_JWT_EXPIRED: 'it has expired',
    ERR_JWT_CLAIM_VALIDATION_FAILED: (error as Error).message,
    ERR_JOSE_ALG_NOT_ALLOWED: 'its algorithm is not allowed',
    ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'its signature does not verify',
    ERR_JWKS_NO_MATCHING_KEY: 'no published key matches it',
  };
  return (code && map[code]) || (error as Error).message || 'it is not valid';
}
