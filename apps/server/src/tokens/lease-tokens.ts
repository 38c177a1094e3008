import { LEASE_TOKEN_TYPE, type LeaseTokenClaims } from '@leasehold/protocol/lease-token';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { SeatTerms } from '../kernel/seat-terms.js';
import { jwksDocument } from '../signing/jwks.js';
import { jwsSigningInput, signCompactJws } from '../signing/jws.js';
import type { Signer } from '../signing/signer.js';
import { parseStoredLeaseToken, type StoredTimes, signingInputDigest } from './stored-lease-token.js';

/** What a lease token says about one session at one moment. */
export interface LeaseFacts {
  sessionId: string;
  licenseId: string;
  organisationId: string;
  productCode: string;
  userId: string | null;
  fingerprint: string;
  entitlements: string[];
  leaseExpiresAt: Date;
  leaseTtlSeconds: number;
  offlineGraceSeconds: number;
  borrowedUntil: Date | null;
}

/** The facts of a lease token from a license's terms and one session. */
export function leaseFacts(
  terms: SeatTerms,
  s: { sessionId: string; userId: string | null; fingerprint: string; expiresAt: Date; borrowedUntil: Date | null },
): LeaseFacts {
  return {
    sessionId: s.sessionId,
    licenseId: terms.licenseId,
    organisationId: terms.organisationId,
    productCode: terms.productCode,
    userId: s.userId,
    fingerprint: s.fingerprint,
    entitlements: terms.entitlements,
    leaseExpiresAt: s.expiresAt,
    leaseTtlSeconds: terms.leaseTtlSeconds,
    offlineGraceSeconds: terms.offlineGraceSeconds,
    borrowedUntil: s.borrowedUntil,
  };
}

export interface IssuedToken {
  token: string;
  /** After this moment a heartbeat signs a new token instead of returning this one. */
  renewAt: Date;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Signs lease tokens and decides when a heartbeat needs a new one. Signing costs
 * more than the rest of a heartbeat, so a token is reused until half of its lease
 * has passed: its lease expiry then still lies at least half a TTL ahead.
 */
export class LeaseTokens {
  constructor(
    private readonly signer: Signer,
    private readonly issuer: string,
  ) {}

  async issue(facts: LeaseFacts, now: Date): Promise<IssuedToken> {
    const times: StoredTimes = {
      issuedAtMs: now.getTime(),
      exp: seconds(this.offlineGraceUntil(facts)),
      leaseExpiresAt: seconds(facts.leaseExpiresAt),
      borrowedUntil: facts.borrowedUntil ? seconds(facts.borrowedUntil) : null,
    };
    const token = await signCompactJws(this.signer, LEASE_TOKEN_TYPE, this.#claims(facts, times));
    const halfLease = (facts.leaseExpiresAt.getTime() - now.getTime()) / 2;
    return { token, renewAt: new Date(now.getTime() + Math.max(0, halfLease)) };
  }

  /**
   * The exact token a stored form was made from (see stored-lease-token.ts), given the
   * session's facts; null when they no longer give the bytes that were signed (the
   * license's terms changed since): then a new token is due.
   */
  restore(stored: string, facts: LeaseFacts): string | null {
    const parsed = parseStoredLeaseToken(stored);
    if (!parsed) return null;
    const input = jwsSigningInput(LEASE_TOKEN_TYPE, parsed.kid, this.#claims(facts, parsed.times));
    return signingInputDigest(input) === parsed.digest ? `${input}.${parsed.signature}` : null;
  }

  /** The claims, in the order they are signed: a restored token must repeat them byte for byte. */
  #claims(facts: LeaseFacts, times: StoredTimes): LeaseTokenClaims {
    return {
      iss: this.issuer,
      sub: facts.sessionId,
      aud: facts.productCode,
      iat: Math.floor(times.issuedAtMs / 1000),
      exp: times.exp,
      jti: `${facts.sessionId}.${times.issuedAtMs.toString(36)}`,
      license_id: facts.licenseId,
      organisation_id: facts.organisationId,
      product: facts.productCode,
      session_id: facts.sessionId,
      ...(facts.userId ? { user_id: facts.userId } : {}),
      entitlements: facts.entitlements,
      fingerprint: facts.fingerprint,
      lease_expires_at: times.leaseExpiresAt,
      offline_grace_until: times.exp,
      ...(times.borrowedUntil !== null ? { borrowed_until: times.borrowedUntil } : {}),
    };
  }

  /** The latest moment the program may run without reaching the server. */
  offlineGraceUntil(facts: Pick<LeaseFacts, 'leaseExpiresAt' | 'offlineGraceSeconds' | 'borrowedUntil'>): Date {
    const grace = new Date(facts.leaseExpiresAt.getTime() + facts.offlineGraceSeconds * 1000);
    return facts.borrowedUntil && facts.borrowedUntil > grace ? facts.borrowedUntil : grace;
  }

  /** Verifies a lease token exactly: our issuer, EdDSA only, our `typ` only, a published key. */
  async verify(token: string, now: Date, audience?: string): Promise<LeaseTokenClaims> {
    const jwks = createLocalJWKSet(await jwksDocument([this.signer]));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: this.issuer,
      algorithms: ['EdDSA'],
      typ: LEASE_TOKEN_TYPE,
      currentDate: now,
      ...(audience ? { audience } : {}),
    });
    return payload as unknown as LeaseTokenClaims;
  }
}
