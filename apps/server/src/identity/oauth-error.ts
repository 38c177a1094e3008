/**
 * An OAuth 2.0 error (RFC 6749 §5.2, RFC 8628 §3.5). The token endpoint answers
 * these in OAuth's own JSON shape, which clients and libraries expect, rather than
 * as problem+json.
 */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unsupported_grant_type'
      | 'authorization_pending'
      | 'slow_down'
      | 'access_denied'
      | 'expired_token',
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
