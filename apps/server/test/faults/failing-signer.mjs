// Loaded with `node --import` into the fault schedule's server processes: while the file
// named by FAULT_SIGNER_FILE exists, every signature fails, as during a KMS or HSM outage.
// The server's own code is unchanged: the local signer's method is wrapped before it starts.
import { existsSync } from 'node:fs';

const { LocalKeyFileSigner } = await import(new URL('../../dist/signing/local-key-file.js', import.meta.url).href);
const sign = LocalKeyFileSigner.prototype.sign;
LocalKeyFileSigner.prototype.sign = async function failingWhileFileExists(keyId, data) {
  const file = process.env.FAULT_SIGNER_FILE;
  if (file && existsSync(file)) throw new Error('the signer is unavailable (fault injected)');
  return sign.call(this, keyId, data);
};
