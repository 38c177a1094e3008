import { LeaseholdError } from '../kernel/errors.js';
import { type ExternalProfile, postForm, type SignInProvider } from './sign-in-provider.js';

export interface GitHubConfig {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise host. */
  webUrl: string;
  /** https://api.github.com, or a GitHub Enterprise API root. */
  apiUrl: string;
}

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * Sign-in with GitHub: OAuth 2.0 (not OIDC) with PKCE and `state`; who signed in
 * comes from its user API, and the e-mail from its e-mails API with GitHub's own
 * verified flag, since only a verified address may link accounts.
 */
export class GitHubSignIn implements SignInProvider {
  readonly name = 'github';

  constructor(private readonly config: GitHubConfig) {}

  async authorizationUrl(request: { state: string; codeChallenge: string; redirectUri: string }): Promise<string> {
    const url = new URL(`${this.config.webUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: request.redirectUri,
      scope: 'read:user user:email',
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      allow_signup: 'true',
    }).toString();
    return url.toString();
  }

  async finish(request: { code: string; codeVerifier: string; redirectUri: string }): Promise<ExternalProfile> {
    const { status, body } = await postForm(`${this.config.webUrl}/login/oauth/access_token`, {
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    });
    // GitHub answers 200 with an `error` field when the code is bad.
    if (status !== 200 || typeof body.access_token !== 'string') {
      throw new LeaseholdError('SIGN_IN_FAILED', `GitHub refused the code (${String(body.error ?? `HTTP ${status}`)}).`);
    }
    const token = body.access_token;
    const user = await this.#get<{ id: number; login: string; name: string | null }>('/user', token);
    const emails = await this.#get<GitHubEmail[]>('/user/emails', token);
    if (typeof user.id !== 'number' || !Array.isArray(emails)) throw new LeaseholdError('SIGN_IN_FAILED', 'GitHub answered in an unexpected shape.');
    const chosen = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified) ?? emails.find((e) => e.primary) ?? null;
    return {
      provider: 'github',
      subject: String(user.id),
      email: chosen ? chosen.email.toLowerCase() : null,
      emailVerified: chosen?.verified === true,
      name: user.name ?? user.login ?? null,
    };
  }

  async #get<T>(path: string, token: string): Promise<T> {
    const response = await fetch(`${this.config.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'user-agent': 'leasehold' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new LeaseholdError('SIGN_IN_FAILED', `GitHub's ${path} answered HTTP ${response.status}.`);
    return (await response.json()) as T;
  }
}
