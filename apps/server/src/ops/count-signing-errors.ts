import type { Signer } from '../signing/signer.js';
import { SignerUnavailable } from '../signing/signer-unavailable.js';
import type { Metrics } from './metrics.js';

/**
 * Counts failed signatures (a KMS outage or a revoked permission) in
 * leasehold_signing_errors_total, and makes them SignerUnavailable (503), not faults. The signer is instrumented in place rather
 * than wrapped, so code that checks its class or calls refresh() still works.
 */
export function countSigningErrors(signer: Signer, metrics: Metrics): Signer {
  const sign = signer.sign.bind(signer);
  signer.sign = async (keyId, data) => {
    try {
      return await sign(keyId, data);
    } catch (error) {
      metrics.signingError(signer.kind);
      throw error instanceof SignerUnavailable ? error : new SignerUnavailable(error);
    }
  };
  return signer;
}
