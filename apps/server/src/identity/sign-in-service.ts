import { newId } from '@leasehold/protocol/ids';
import { appendAudit } from '../audit/audit-log.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request-context.js';
import { signInRepository } from '../repositories/sign-in-repository.js';
import type { AccountService } from './account-service.js';
import { pkcePair } from './pkce.js';
import { safeRedirect } from './redirects.js';
import type { SignInProvider } from './sign-in-provider.js';

const LOGIN_STATE_TTL_MS = 10 * 60_000;

export interface SignInDeps {
  db: Db;
  clock: Clock;
  accounts: AccountService;
  providers: Map<string, SignInProvider>;
  publicUrl: string;
  redirectOrigins: string[];
  defaultRedirect: string;
  webSessionTtlSeconds: number;
}

/**
 * Browser sign-in: starts the authorization code flow (state, PKCE verifier and
 * nonce kept server-side, single use), finishes it on the callback, and keeps the
 * person signed in with a web session whose secret lives in an HttpOnly cookie.
 */
export class SignInService {
  constructor(private readonly deps: SignInDeps) {}

  providerNames(): string[] {
    return [...this.deps.providers.keys()];
  }

  redirectUri(provider: string): string {
    return `${this.deps.publicUrl}/auth/${provider}/callback`;
  }

  /** Where to send the browser; `state` also goes into a cookie that binds the flow to this browser. */
  async start(providerName: string, redirectTo: string | undefined): Promise<{ url: string; state: string }> {
    const provider = this.#provider(providerName);
    const now = this.deps.clock.now();
    const state = randomSecret(32);
    const nonce = randomSecret(24);
    const { verifier, challenge } = pkcePair();
    await signInRepository.insertLoginState(this.deps.db, {
      id: newId('loginState', now.getTime()),
      stateHash: sha256(state),
      provider: providerName,
      codeVerifier: verifier,
      nonce,
      redirectTo: safeRedirect(redirectTo, this.deps.redirectOrigins, this.deps.publicUrl, this.deps.defaultRedirect),
      createdAt: now,
      expiresAt: new Date(now.getTime() + LOGIN_STATE_TTL_MS),
    });
    const url = await provider.authorizationUrl({ state, codeChallenge: challenge, nonce, redirectUri: this.redirectUri(providerName) });
    return { url, state };
  }

  /** The callback: spends the state, asks the provider who signed in, signs them up or in, opens a web session. */
  async finish(
    providerName: string,
    input: { state: string; code: string },
    ctx: RequestContext,
  ): Promise<{ sessionSecret: string; redirectTo: string; userId: string }> {
    const provider = this.#provider(providerName);
    const now = this.deps.clock.now();
    const login = await signInRepository.consumeLoginState(this.deps.db, sha256(input.state), now);
    if (!login || login.provider !== providerName) throw new LeaseholdError('SIGN_IN_FAILED', 'This sign-in link is unknown, used or expired. Start again.');
    const profile = await provider.finish({
      code: input.code,
      codeVerifier: login.codeVerifier,
      nonce: login.nonce,
      redirectUri: this.redirectUri(providerName),
      now,
    });
    const userId = await this.deps.accounts.signIn(profile, ctx);
    const sessionSecret = await this.openSession(userId, { ...ctx, actor: { type: 'user', id: userId } });
    return { sessionSecret, redirectTo: login.redirectTo, userId };
  }

  /** Opens a web session for a user who just signed in; returns the secret for the cookie. */
  async openSession(userId: string, ctx: RequestContext): Promise<string> {
    const now = this.deps.clock.now();
    const secret = randomSecret(32);
    const id = newId('webSession', now.getTime());
    await this.deps.db.transaction(async (tx) => {
      await signInRepository.insertWebSession(tx, {
        id,
        userId,
        secretHash: sha256(secret),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.deps.webSessionTtlSeconds * 1000),
      });
      await appendAudit(tx, ctx, now, [{ action: 'web_session.created', targetType: 'user', targetId: userId, data: { webSessionId: id } }]);
    });
    return secret;
  }

  /** The user of a live web session, or null. */
  async sessionUser(secret: string): Promise<string | null> {
    return signInRepository.findLiveSessionUser(this.deps.db, sha256(secret), this.deps.clock.now());
  }

  /** Sign-out of a browser. */
  async endSession(secret: string, ctx: RequestContext): Promise<boolean> {
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const row = await signInRepository.revokeWebSession(tx, sha256(secret), now);
      if (!row) return false;
      await appendAudit(tx, { ...ctx, actor: { type: 'user', id: row.userId } }, now, [
        { action: 'web_session.revoked', targetType: 'user', targetId: row.userId, data: { webSessionId: row.id } },
      ]);
      return true;
    });
  }

  #provider(name: string): SignInProvider {
    const provider = this.deps.providers.get(name);
    if (!provider) throw new LeaseholdError('NOT_FOUND', `No sign-in provider named ${name} is configured.`);
    return provider;
  }
}

/** The CSRF token of a web session: derived from its secret, so only a page that was given it can send it. */
export function csrfTokenFor(sessionSecret: string): string {
  return sha256(`csrf:${sessionSecret}`).slice(0, 43);
}
