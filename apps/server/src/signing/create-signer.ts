import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ensureKeyFile, LocalKeyFileSigner } from './local-key-file.js';
import type { Signer } from './signer.js';

/** The signer configuration asks for. The local key file is created on first start. */
export async function createSigner(config: Config, clock: Clock): Promise<Signer> {
  switch (config.signer.kind) {
    case 'local':
      ensureKeyFile(config.signer.keyFile, clock.now());
      return new LocalKeyFileSigner(config.signer.keyFile, () => clock.now());
    default:
      throw new Error(`signer ${config.signer.kind} is not available in this build`);
  }
}
