/**
 * The JSON bodies of the licensing endpoints, as the SDK reads them. They mirror
 * the zod schemas in `@leasehold/protocol/schemas` without pulling zod in at runtime.
 *
 * @example
 * ```ts
 * const { body } = await transport.postJson<AcquireAnswer>('/api/v1/licenses/acquire', request);
 * ```
 */
export interface AcquireAnswer {
  sessionId: string;
  sessionSecret: string;
  leaseToken: string;
  licenseId: string;
  expiresAt: string;
  offlineGraceUntil: string;
  heartbeatIntervalSeconds: number;
  leaseTtlSeconds: number;
  seats: { used: number; total: number; overage: number };
  entitlements: string[];
  reused: boolean;
  /** Set when a CI job took the seat with its workload identity token. */
  ci?: {
    mappingId: string;
    mode: 'enforce' | 'advisory';
    repository: string;
    poolUsed: number;
    poolMax: number | null;
    warning: string | null;
  };
}

/**
 * The answer to a heartbeat.
 *
 * @example
 * ```ts
 * if (answer.reacquired) console.warn('the lease had lapsed and was taken again');
 * ```
 */
export interface HeartbeatAnswer {
  sessionId: string;
  leaseToken: string;
  expiresAt: string;
  offlineGraceUntil: string;
  heartbeatIntervalSeconds: number;
  reacquired: boolean;
}

/**
 * The answer to a borrow.
 *
 * @example
 * ```ts
 * console.log(`borrowed until ${answer.borrowedUntil}`);
 * ```
 */
export interface BorrowAnswer {
  sessionId: string;
  leaseToken: string;
  borrowedUntil: string;
  expiresAt: string;
  offlineGraceUntil: string;
}

/**
 * The answer to `POST /api/v1/licenses/validate`: a key or token checked without taking a seat.
 *
 * @example
 * ```ts
 * const result: ValidateAnswer = await client.validate();
 * if (!result.valid) console.error(result.detail);
 * ```
 */
export interface ValidateAnswer {
  valid: boolean;
  code: string | null;
  detail: string | null;
  license: {
    id: string;
    product: string;
    status: 'active' | 'suspended' | 'expired' | 'revoked';
    expiresAt: string | null;
    seatBasis: 'session' | 'machine' | 'user';
    seats: { used: number; total: number; overage: number };
    entitlements: string[];
  } | null;
}

/** The license endpoints' paths. */
export const PATHS = {
  acquire: '/api/v1/licenses/acquire',
  heartbeat: '/api/v1/licenses/heartbeat',
  release: '/api/v1/licenses/release',
  validate: '/api/v1/licenses/validate',
  borrow: '/api/v1/licenses/borrow',
  return: '/api/v1/licenses/return',
  jwks: '/.well-known/jwks.json',
  keyset: '/.well-known/leasehold-keyset.jws',
} as const;
