import type { JWK } from 'jose';

/**
 * A source of Ed25519 signatures. The local key file, Google Cloud KMS and a
 * PKCS#11 token each implement it; tokens are assembled around it (see jws.ts),
 * so a signer never sees claims, only the bytes to sign.
 */
export interface Signer {
  /** A short name for logs and metrics: `local`, `kms`, `pkcs11`. */
  readonly kind: string;
  /** The key that signs now: its `kid` goes into every new token's header. */
  currentKeyId(): Promise<string>;
  /** Signs the JWS signing input with the key `keyId` (the current one). Returns the raw 64-byte signature. */
  sign(keyId: string, data: Uint8Array): Promise<Uint8Array>;
  /** Every public key that may still have live tokens: the current one and those in their overlap window. */
  publicKeys(): Promise<PublicSigningKey[]>;
  /**
   * The keys that sign the key-set document (`/.well-known/leasehold-keyset.jws`).
   * Default: the current key only.
   */
  keySetKeyIds?(): Promise<string[]>;
  /** Releases handles (HSM sessions, clients, timers). */
  close(): Promise<void>;
}

/** A public key as published in the JWKS. */
export interface PublicSigningKey {
  kid: string;
  /** An OKP/Ed25519 JWK with only public members. */
  jwk: JWK;
  /** When the key stops being published, if it has been rotated out. */
  retiresAt: Date | null;
  /** `next` (published ahead, signs nothing yet), `current` (signs) or `retired`; when the signer knows. */
  state?: 'next' | 'current' | 'retired';
}
