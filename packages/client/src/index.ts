export type { ClientErrorCode, LeaseholdErrorCode } from './errors/codes.js';
export {
  ClockRollbackError,
  LeaseholdError,
  NoSeatAvailableError,
  OfflineGraceExpiredError,
  ServerError,
  ServerUnreachableError,
  TokenVerificationError,
  type SeatHolder,
  type TokenFailureReason,
} from './errors/errors.js';
export { asLeaseholdError, errorFromProblem } from './errors/from-problem.js';
export { formatTime } from './errors/format-time.js';
export { type Clock, systemClock } from './clock.js';
export { type Fingerprint, type FingerprintOptions, computeFingerprint } from './fingerprint/fingerprint.js';
export { physicalMacAddresses } from './fingerprint/mac-addresses.js';
export { type FingerprintProbes, type NetworkInterfaceFact, systemProbes } from './fingerprint/probes.js';
export { type RetryPolicy, backoffDelay, parseRetryAfter } from './http/retry.js';
export {
  type FetchLike,
  type RequestOptions,
  Transport,
  type TransportOptions,
  type TransportResponse,
} from './http/transport.js';
export { type JsonWebKeySet, KeyRing, type PublicJwk } from './token/jwks.js';
export {
  type LeaseTokenExpectations,
  type VerifiedLeaseToken,
  decodeLeaseTokenUnverified,
  verifyLeaseToken,
} from './token/verify.js';
export { defaultStateDir } from './state/config-dir.js';
export { type LeaseState, LeaseStateStore, leaseStatePath, normaliseServerUrl } from './state/lease-state.js';
export { readJsonFile, removeFile, writeJsonFileAtomic } from './state/json-file.js';
export { LeaseClient } from './lease/client.js';
export type { LeaseClientOptions } from './lease/options.js';
export type { LeaseEvents } from './lease/events.js';
export type { CachedLease, LeaseMode, LeaseStatus } from './lease/status.js';
export type { AcquireAnswer, BorrowAnswer, HeartbeatAnswer, ValidateAnswer } from './lease/wire.js';
export {
  type AuthOptions,
  type DeviceCodePrompt,
  type DeviceLoginOptions,
  currentAccessToken,
  deviceLogin,
  logout,
} from './auth/device-flow.js';
export {
  type StoredCredentials,
  clearCredentials,
  credentialsPath,
  loadCredentials,
  saveCredentials,
} from './auth/credentials.js';
