import type { Config } from '../config.js';
import type { Clock } from '../kernel/clock.js';
import { ensureKeyFile, LocalKeyFileSigner } from './local-key-file.js';
import type { Signer } from './signer.js';

/**
 * The signer configuration asks for. The local key file is created on first start;
 * KMS and PKCS#11 are loaded only when chosen, so their client libraries (one of
 * them native) cost nothing otherwise. Configuration has already checked that the
 * chosen signer's variables are present.
 */
export async function createSigner(config: Config, clock: Clock): Promise<Signer> {
  const s = config.signer;
  switch (s.kind) {
    case 'local':
      ensureKeyFile(s.keyFile, clock.now());
      return new LocalKeyFileSigner(s.keyFile, () => clock.now());
    case 'kms': {
      const { KmsSigner } = await import('./kms-signer.js');
      return KmsSigner.open({
        keyVersionName: s.kmsKeyVersion as string,
        previousKeyVersionNames: s.kmsPreviousKeyVersions,
        ...(s.kmsEndpoint ? { endpoint: s.kmsEndpoint } : {}),
      });
    }
    case 'pkcs11': {
      const { Pkcs11Signer } = await import('./pkcs11-signer.js');
      return Pkcs11Signer.open({
        modulePath: s.pkcs11Module as string,
        tokenLabel: s.pkcs11TokenLabel as string,
        pin: s.pkcs11Pin as string,
        keyLabel: s.pkcs11KeyLabel as string,
        previousKeyLabels: s.pkcs11PreviousKeyLabels,
      });
    }
  }
}
