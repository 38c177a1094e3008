/** What an identity provider tells us about the person who signed in. */
export interface ExternalProfile {
  provider: string;
  subject: string;
  /** Lower-cased; only trusted for linking accounts when `emailVerified`. */
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** One browser sign-in provider: the authorization code flow with PKCE, from redirect to profile. */
export interface SignInProvider {
  readonly name: string;
  /** Where to send the browser, carrying `state`, the PKCE challenge and (OIDC) the nonce. */
  authorizationUrl(request: { state: string; codeChallenge: string; nonce: string; redirectUri: string }): Promise<string>;
  /** Exchanges the code for tokens, checks them and returns who signed in. */
  finish(request: { code: string; codeVerifier: string; nonce: string; redirectUri: string; now: Date }): Promise<ExternalProfile>;
}

/** Posts a form to a token endpoint and reads the JSON answer, whatever its status. */
export async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  return { status: response.status, body };
}
