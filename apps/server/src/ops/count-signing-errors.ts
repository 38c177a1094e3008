import type { Signer } from '../signing/signer.js';
import type { Metrics } from './metrics.js';

/**
 * Counts failed signatures (a KMS outage or a revoked permission) in
 * leasehold_signing_errors_total. The signer is instrumented in place rather
 * than wrapped, so code that checks its class or calls refresh() still works.
 */
export function countSigningErrors(signer: Signer, metrics: Metrics): Signer {
  const sign = signer.sign.bind(signer);
  signer.sign = async (keyId, data) => {
    try {
      return await sign(keyId, data);
    } catch (error) {
      metrics.signingError(signer.kind);
      throw error;
    }
  };
  return signer;
}
