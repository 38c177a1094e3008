export {
  clearCredentials,
  credentialsPath,
  loadCredentials,
  type StoredCredentials,
  saveCredentials,
} from './auth/credentials.js';
export {
  type AuthOptions,
  currentAccessToken,
  type DeviceCodePrompt,
  type DeviceLoginOptions,
  deviceLogin,
  logout,
} from './auth/device-flow.js';
export { type Clock, systemClock } from './clock.js';
export type { ClientErrorCode, LeaseholdErrorCode } from './errors/codes.js';
export {
  ClockRollbackError,
  LeaseholdError,
  NoSeatAvailableError,
  OfflineGraceExpiredError,
  type QueuePlace,
  type SeatHolder,
  ServerError,
  ServerUnreachableError,
  type TokenFailureReason,
  TokenVerificationError,
} from './errors/errors.js';
export { formatTime } from './errors/format-time.js';
export { asLeaseholdError, errorFromProblem } from './errors/from-problem.js';
export { computeFingerprint, type Fingerprint, type FingerprintOptions } from './fingerprint/fingerprint.js';
export { physicalMacAddresses } from './fingerprint/mac-addresses.js';
export { type FingerprintProbes, type NetworkInterfaceFact, systemProbes } from './fingerprint/probes.js';
export type { FetchLike } from './http/fetch-like.js';
export { backoffDelay, parseRetryAfter, type RetryPolicy } from './http/retry.js';
export {
  type RequestOptions,
  Transport,
  type TransportOptions,
  type TransportResponse,
} from './http/transport.js';
export { LeaseClient } from './lease/client.js';
export type { LeaseEvents } from './lease/events.js';
export type { LeaseClientOptions } from './lease/options.js';
export type { CachedLease, LeaseMode, LeaseStatus } from './lease/status.js';
export type { AcquireAnswer, BorrowAnswer, HeartbeatAnswer, ValidateAnswer } from './lease/wire.js';
export { defaultStateDir } from './state/config-dir.js';
export { readJsonFile, removeFile, writeJsonFileAtomic } from './state/json-file.js';
export { type LeaseState, LeaseStateStore, leaseStatePath, normaliseServerUrl } from './state/lease-state.js';
export { type JsonWebKeySet, KeyRing, type PublicJwk } from './token/jwks.js';
export { KEY_SET_TYPE, rememberKeySet, trustedKeys, verifyKeySet } from './token/keyset.js';
export {
  decodeLeaseTokenUnverified,
  type LeaseTokenExpectations,
  type VerifiedLeaseToken,
  verifyLeaseToken,
} from './token/verify.js';
