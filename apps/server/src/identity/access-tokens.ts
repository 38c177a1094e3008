import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { jwksDocument } from '../signing/jwks.js';
import { signCompactJws } from '../signing/jws.js';
import type { Signer } from '../signing/signer.js';

/** The `typ` of Leasehold access tokens (RFC 9068 §2.1); lease tokens carry another, so neither passes for the other. */
const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  client_id: string;
  scope: string;
}

/**
 * Leasehold's own short-lived access tokens: JWTs in the RFC 9068 profile, signed
 * with EdDSA by the same Signer as lease tokens but with their own `typ` and
 * audience, and verified exclusively against both.
 */
export class AccessTokens {
  readonly audience: string;

  constructor(
    private readonly signer: Signer,
    readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly leewaySeconds: number,
  ) {
    this.audience = `${issuer}/api`;
  }

  get expiresIn(): number {
    return this.ttlSeconds;
  }

  async issue(input: { userId: string; clientId: string; scope: string }, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.issuer,
      sub: input.userId,
      aud: this.audience,
      iat,
      exp: iat + this.ttlSeconds,
      jti: randomUUID(),
      client_id: input.clientId,
      scope: input.scope,
    };
    return signCompactJws(this.signer, ACCESS_TOKEN_TYPE, claims);
  }

  /** Our issuer, our audience, EdDSA only, `typ` at+jwt only, a published key, within lifetime (with a small leeway). */
  async verify(token: string, now: Date): Promise<AccessTokenClaims> {
    const jwks = createLocalJWKSet(await jwksDocument([this.signer]));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: this.issuer,
      audience: this.audience,
      algorithms: ['EdDSA'],
      typ: ACCESS_TOKEN_TYPE,
      currentDate: now,
      clockTolerance: this.leewaySeconds,
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
    });
    return payload as unknown as AccessTokenClaims;
  }
}
