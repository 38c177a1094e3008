/**
 * The lease token: a compact JWS (EdDSA over Ed25519) that the server returns on
 * every granted acquire and heartbeat. Its header `typ` is its own, so a lease
 * token is never mistaken for an access token and the reverse (RFC 8725 §3.11).
 */
export const LEASE_TOKEN_TYPE = 'leasehold-lease+jwt';

/** The only algorithm a lease token may carry. */
export const LEASE_TOKEN_ALGORITHM = 'EdDSA';

/** The claims of a lease token. Times are NumericDate (seconds since the epoch). */
export interface LeaseTokenClaims {
  /** The server's public URL. */
  iss: string;
  /** The session ID. */
  sub: string;
  /** The product code: a token for one product is not accepted by another. */
  aud: string;
  iat: number;
  /** The offline-grace deadline: the latest moment the token may be used without the server. */
  exp: number;
  jti: string;
  license_id: string;
  organisation_id: string;
  product: string;
  session_id: string;
  /** The user the seat is held for, when a person signed in. */
  user_id?: string;
  entitlements: string[];
  /** The machine fingerprint the seat is bound to. */
  fingerprint: string;
  /** When the lease ends unless a heartbeat renews it. */
  lease_expires_at: number;
  /** Same as `exp`, named for readers: how long the program may run offline. */
  offline_grace_until: number;
  /** Set when the token is a borrow: the seat is checked out until this time. */
  borrowed_until?: number;
}
