import { TokenVerificationError } from '../errors/errors.js';
import type { Transport } from '../http/transport.js';
import type { LeaseState } from '../state/lease-state.js';
import { type JsonWebKeySet, KeyRing } from '../token/jwks.js';
import { rememberKeySet, trustedKeys, verifyKeySet } from '../token/keyset.js';
import { type LeaseTokenExpectations, type VerifiedLeaseToken, verifyLeaseToken } from '../token/verify.js';
import { PATHS } from './wire.js';

export interface LeaseKeysOptions {
  /** The keys shipped with the program, if any. */
  pinned: JsonWebKeySet | undefined;
  issuer: string | undefined;
  transport: Transport;
  /** The cached state as it is now: learned keys are kept in it. */
  state: () => LeaseState | null;
}

/**
 * The keys that verify lease tokens: online, those pinned (and key sets they
 * vouch for) or else the server's JWKS trusted on first use; offline, only what
 * the cached state and the pinned keys allow.
 *
 * @example
 * ```ts
 * const keys = new LeaseKeys({ pinned: jwks, issuer: undefined, transport, state: () => state });
 * const verified = await keys.verifyOnline(token, { product: 'coditect', fingerprint, now: Date.now() });
 * ```
 */
export class LeaseKeys {
  readonly #pinned: JsonWebKeySet | undefined;
  readonly #issuer: string | undefined;
  readonly #transport: Transport;
  readonly #state: () => LeaseState | null;
  #fetched: JsonWebKeySet | undefined;

  constructor(options: LeaseKeysOptions) {
    this.#pinned = options.pinned;
    this.#issuer = options.issuer;
    this.#transport = options.transport;
    this.#state = options.state;
  }

  /** Whether the program ships its own keys. */
  get pinned(): boolean {
    return Boolean(this.#pinned);
  }

  /**
   * Verifies a token the server just sent. A new `kid`: with pinned keys, the
   * signed key set is fetched and accepted only when a trusted key signed it;
   * without, the JWKS is fetched (trust on first use).
   */
  async verifyOnline(token: string, expect: LeaseTokenExpectations): Promise<VerifiedLeaseToken> {
    const ring = () => (this.#pinned ? this.#trusted() : new KeyRing(this.#fetched));
    try {
      return this.#remember(verifyLeaseToken(token, ring(), expect));
    } catch (error) {
      if (!(error instanceof TokenVerificationError) || error.reason !== 'unknown-key') throw error;
    }
    if (this.#pinned) {
      const { body } = await this.#transport.getJson<unknown>(PATHS.keyset, { retry: { attempts: 2 } });
      const document = JSON.stringify(body);
      verifyKeySet(document, this.#trusted(), this.#issuer);
      const state = this.#state();
      if (state) state.keysets = rememberKeySet(state.keysets, document);
    } else {
      const { body } = await this.#transport.getJson<JsonWebKeySet>(PATHS.jwks, { retry: { attempts: 2 } });
      this.#fetched = body;
      const state = this.#state();
      if (state) state.jwks = body;
    }
    return this.#remember(verifyLeaseToken(token, ring(), expect));
  }

  /** The keys offline verification may use: the trusted chain when pinned, else those cached. */
  offline(state: LeaseState): KeyRing {
    return this.#pinned ? trustedKeys(this.#pinned, state.keysets ?? [], this.#issuer) : new KeyRing(state.jwks);
  }

  /** Offline, keys fetched online are not used: the next online check fetches them again. */
  forgetFetched(): void {
    this.#fetched = undefined;
  }

  /** The pinned keys and those learned from signed key sets that chain to them. */
  #trusted(): KeyRing {
    return trustedKeys(this.#pinned ?? { keys: [] }, this.#state()?.keysets ?? [], this.#issuer);
  }

  #remember(verified: VerifiedLeaseToken): VerifiedLeaseToken {
    // Kept beside the token so tools without the program's pinned keys (the leasehold CLI) can check it offline.
    const state = this.#state();
    if (state && this.#pinned) state.jwks = this.#trusted().toJwks();
    return verified;
  }
}
