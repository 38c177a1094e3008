import { currentAccessToken, loadCredentials, systemClock, Transport } from '@leasehold/client';
import type { CommandContext } from '../context.js';

/** Who is signed in on this machine for a server, as far as can be told. */
export interface SignedIn {
  userId: string | null;
  email: string | null;
  name: string | null;
  /** When the stored sign-in's access token expires (it is refreshed on use). */
  accessTokenExpiresAt: string;
}

/**
 * The stored device sign-in, with the person's e-mail and name from `/api/v1/me`
 * when the server answers; `null` when nobody is signed in here.
 *
 * @example
 * ```ts
 * const who = await signedIn(ctx, serverUrl);
 * ```
 */
export async function signedIn(ctx: CommandContext, serverUrl: string): Promise<SignedIn | null> {
  const creds = await loadCredentials(ctx.stateDir, serverUrl);
  if (!creds) return null;
  const who: SignedIn = { userId: subjectOf(creds.accessToken), email: null, name: null, accessTokenExpiresAt: new Date(creds.expiresAt).toISOString() };
  const clock = ctx.clock ?? systemClock;
  try {
    const token = await currentAccessToken({ serverUrl, stateDir: ctx.stateDir, clock, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
    if (!token) return who;
    const transport = new Transport({ serverUrl, clock, retry: { attempts: 1 }, deadlineMs: 5000, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
    const { body } = await transport.getJson<{ user?: { id?: string; email?: string | null; name?: string | null } }>('/api/v1/me', { bearer: token });
    who.userId = body.user?.id ?? who.userId;
    who.email = body.user?.email ?? null;
    who.name = body.user?.name ?? null;
  } catch {
    // Offline or the sign-in was revoked: what the stored token says is all there is.
  }
  return who;
}

function subjectOf(jwt: string): string | null {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
