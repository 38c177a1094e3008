import type { OperationDoc } from './operation-doc.js';
import { BODY, DB, LICENSE_REFUSALS, SESSION } from './operation-parts.js';

/** The calls a licensed program makes, and the keys to check its lease tokens. */
export const LICENSING_OPERATIONS: Record<string, OperationDoc> = {
  'POST /api/v1/licenses/acquire': {
    operationId: 'acquireSeat',
    description:
      'Takes a seat of the license the key in `Authorization: License <key>` opens — or, without a key, of the signed-in person’s organisation (send `Authorization: Bearer <access token>`). ' +
      'A CI job sends its workload identity token instead, `Authorization: Workload <OIDC token>` (a GitHub Actions token requested with the server’s public URL as audience): a CI mapping rule names the license, the seat is one per job (its fingerprint is derived from the token’s `repository`, `run_id`, `run_attempt` and the `ciJob` fingerprint component), the rule’s CI pool is enforced (409 NO_SEAT_AVAILABLE) or, for an advisory rule, logged, and the answer’s `ci` says which rule. An unmapped repository is 404 LICENSE_NOT_FOUND; a forged, expired or wrong-audience token 401 TOKEN_INVALID. ' +
      'A repeated `idempotencyKey` from the same fingerprint returns the earlier session with a new secret instead of taking another seat. ' +
      'When every seat is held the answer is 409 NO_SEAT_AVAILABLE with who holds them, when the next frees (`nextFreeAt`) and `Retry-After`.',
    errors: [
      ...BODY,
      'INVALID_LICENSE_KEY',
      'UNAUTHENTICATED',
      'TOKEN_INVALID',
      ...LICENSE_REFUSALS,
      'NO_SEAT_AVAILABLE',
      'ALREADY_EXISTS',
      'RATE_LIMITED',
      ...DB,
    ],
    rateLimited: true,
    // A license key opens the license; without one, a signed-in person's token or a CI job's workload token authorises the seat.
    security: [{ licenseKey: [] }, { userToken: [] }, { workloadToken: [] }],
  },
  'POST /api/v1/licenses/heartbeat': {
    operationId: 'heartbeat',
    description:
      'Renews the lease by the plan’s TTL; send it every `heartbeatIntervalSeconds`. Authorised by the session ID in the body and its secret in `Leasehold-Session-Secret`. ' +
      'After the lease ran out it takes a free seat again (`reacquired: true`) or answers 409 SESSION_EXPIRED. The lease token is re-signed only once half its lease has passed.',
    errors: [...SESSION, 'SESSION_EXPIRED', ...LICENSE_REFUSALS],
    security: [{ sessionSecret: [] }],
  },
  'POST /api/v1/licenses/release': {
    operationId: 'releaseSeat',
    description: 'Frees the seat at once. Authorised by the session ID in the body and its secret in `Leasehold-Session-Secret`. Repeating it is safe.',
    errors: SESSION,
    security: [{ sessionSecret: [] }],
  },
  'POST /api/v1/licenses/borrow': {
    operationId: 'borrowSeat',
    description:
      'Checks a held seat out for offline use: the seat stays held until `borrowedUntil` and the returned lease token is valid offline that long. ' +
      'Limited by the plan’s `maxBorrowSeconds` (409 BORROW_NOT_ALLOWED answers the limit). Authorised by the session ID in the body and its secret in `Leasehold-Session-Secret`.',
    errors: [...SESSION, 'SESSION_EXPIRED', 'BORROW_NOT_ALLOWED', ...LICENSE_REFUSALS],
    security: [{ sessionSecret: [] }],
  },
  'POST /api/v1/licenses/return': {
    operationId: 'returnBorrowedSeat',
    description: 'Ends a borrow early and frees the seat. Authorised by the session ID in the body and its secret in `Leasehold-Session-Secret`.',
    errors: SESSION,
    security: [{ sessionSecret: [] }],
  },
  'POST /api/v1/licenses/validate': {
    operationId: 'validateLicense',
    description:
      'Checks a license key (in `Authorization: License <key>`, with its product in the body) or a lease token without taking a seat. A license that cannot be used is an answer here, not an error: `valid: false` with the `code` and `detail`.',
    errors: [...BODY, 'INVALID_LICENSE_KEY', 'RATE_LIMITED', ...DB],
    rateLimited: true,
    // A lease token is checked without any credential: it is signed.
    security: [{ licenseKey: [] }, {}],
  },
  'GET /.well-known/jwks.json': {
    operationId: 'getSigningKeys',
    description: 'The public Ed25519 keys lease tokens are signed with, by `kid`. Cache it (the answer says for how long) and verify tokens offline.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
  },
  'GET /.well-known/leasehold-keyset.jws': {
    operationId: 'getSignedKeySet',
    description:
      'The same public keys, signed by every published key. A program with pinned keys accepts a new key only from a set that a key it already trusts signed, so it follows rotations without a new build and nobody on the network can add a key.',
    errors: ['VALIDATION_FAILED'],
    security: [{}],
    responses: {
      200: {
        description: 'The signed key set.',
        content: { 'application/jose+json': { schema: { $ref: '#/components/schemas/SignedKeySet' } } },
      },
    },
  },
};
