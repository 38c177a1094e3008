import { LeaseholdError } from '../kernel/errors.js';

/** Seconds a caller waits before retrying when the signer (KMS, HSM) failed. */
const SIGNER_RETRY_AFTER_SECONDS = 2;

/**
 * A signature could not be made: the KMS or HSM is unreachable or refused. Nothing
 * is promised without a signed token, so the caller hears 503 with Retry-After; the
 * cause stays attached for the log.
 */
export class SignerUnavailable extends LeaseholdError {
  constructor(cause: unknown) {
    super(
      'SERVICE_UNAVAILABLE',
      'Lease tokens cannot be signed for a moment. Nothing was promised; retry shortly.',
      { dependency: 'signer' },
      SIGNER_RETRY_AFTER_SECONDS,
    );
    this.cause = cause;
  }
}
