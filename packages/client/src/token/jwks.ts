import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * A public JSON Web Key as the server publishes it (OKP, Ed25519).
 *
 * @example
 * ```ts
 * const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1', alg: 'EdDSA', use: 'sig' };
 * ```
 */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/**
 * A JSON Web Key Set, the shape of `/.well-known/jwks.json`.
 *
 * @example
 * ```ts
 * import jwks from './leasehold-jwks.json' with { type: 'json' };
 * new LeaseClient({ ..., jwks });
 * ```
 */
export interface JsonWebKeySet {
  keys: PublicJwk[];
}

/**
 * Ed25519 verification keys by `kid`. Only keys that are OKP/Ed25519, meant for
 * signatures and for EdDSA are admitted: one algorithm per key (RFC 8725 §3.1).
 *
 * @example
 * ```ts
 * const keys = new KeyRing(pinnedJwks);
 * keys.get('k1'); // KeyObject | undefined
 * ```
 */
export class KeyRing {
  readonly #keys = new Map<string, KeyObject>();
  readonly #jwks = new Map<string, PublicJwk>();

  constructor(...sets: (JsonWebKeySet | undefined)[]) {
    for (const set of sets) if (set) this.add(set);
  }

  /** Adds every acceptable key of a set; ignores the rest. */
  add(set: JsonWebKeySet): void {
    for (const jwk of Array.isArray(set?.keys) ? set.keys : []) {
      if (!isEd25519SigningJwk(jwk)) continue;
      try {
        const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string }, format: 'jwk' });
        this.#keys.set(jwk.kid as string, key);
        this.#jwks.set(jwk.kid as string, { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string, kid: jwk.kid as string, alg: 'EdDSA', use: 'sig' });
      } catch {
        // A malformed key is skipped, never fatal: the others may still verify.
      }
    }
  }

  /** The key with this `kid`, if any. */
  get(kid: string): KeyObject | undefined {
    return this.#keys.get(kid);
  }

  /** The keys as a JWKS (public members only). */
  toJwks(): JsonWebKeySet {
    return { keys: [...this.#jwks.values()] };
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.#keys.size;
  }
}

function isEd25519SigningJwk(jwk: PublicJwk): boolean {
  return (
    jwk?.kty === 'OKP' &&
    jwk.crv === 'Ed25519' &&
    typeof jwk.x === 'string' &&
    typeof jwk.kid === 'string' &&
    (jwk.alg === undefined || jwk.alg === 'EdDSA' || jwk.alg === 'Ed25519') &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    jwk.d === undefined
  );
}
