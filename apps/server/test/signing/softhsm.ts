import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { PKCS11_MECHANISMS } from '../../src/signing/pkcs11-signer.js';

const MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'];

/** Where SoftHSM2 (Debian package `softhsm2`) is installed, or why it cannot be used. */
export function findSoftHsm(): { modulePath: string } | { missing: string } {
  const modulePath = MODULE_CANDIDATES.find((path) => existsSync(path));
  if (!modulePath)
    return {
      missing: 'libsofthsm2.so not found: install the Debian package softhsm2',
    };
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
  } catch {
    return {
      missing: 'softhsm2-util not on PATH: install the Debian package softhsm2',
    };
  }
  return { modulePath };
}

export interface TestToken {
  modulePath: string;
  tokenLabel: string;
  pin: string;
  dispose(): void;
}

/**
 * Creates a private SoftHSM2 token store in a temporary directory and points
 * SOFTHSM2_CONF at it, so tests never touch the machine's own tokens.
 * The library reads SOFTHSM2_CONF at C_Initialize, so this must run first.
 */
export function createTestToken(modulePath: string): TestToken {
  const dir = mkdtempSync(join(tmpdir(), 'leasehold-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const tokenLabel = 'leasehold-test';
  const pin = '123456';
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--pin', pin, '--so-pin', '654321'], {
    stdio: 'pipe',
    env: process.env,
  });
  return {
    modulePath,
    tokenLabel,
    pin,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Generates an Ed25519 key pair on the token with the library's own
 * C_GenerateKeyPair (no extra tools), private key sensitive and non-extractable
 * as an operator would create it. Finalises afterwards: a process may hold
 * only one C_Initialize of a module at a time.
 */
export function generateEd25519KeyPair(token: TestToken, label: string): void {
  const lib = new pkcs11js.PKCS11();
  lib.load(token.modulePath);
  lib.C_Initialize();
  try {
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === token.tokenLabel);
    if (!slot) throw new Error('test token vanished');
    const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    lib.C_Login(session, pkcs11js.CKU_USER, token.pin);
    const id = Buffer.from(label);
    lib.C_GenerateKeyPair(
      session,
      { mechanism: PKCS11_MECHANISMS.CKM_EC_EDWARDS_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        {
          type: pkcs11js.CKA_KEY_TYPE,
          value: PKCS11_MECHANISMS.CKK_EC_EDWARDS,
        },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
        // DER of the Ed25519 OID 1.3.101.112.
        {
          type: pkcs11js.CKA_EC_PARAMS,
          value: Buffer.from('06032b6570', 'hex'),
        },
      ],
      [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        {
          type: pkcs11js.CKA_KEY_TYPE,
          value: PKCS11_MECHANISMS.CKK_EC_EDWARDS,
        },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: id },
      ],
    );
    lib.C_Logout(session);
    lib.C_CloseSession(session);
  } finally {
    lib.C_Finalize();
    lib.close();
  }
}
