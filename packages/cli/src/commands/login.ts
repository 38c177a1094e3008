import { deviceLogin, logout as signOut } from '@leasehold/client';
import { type CommandContext, requireServer } from '../context.js';

/**
 * `leasehold login`: signs in with the device flow; prints where to confirm the code.
 *
 * @example
 * ```ts
 * await login(ctx);
 * ```
 */
export async function login(ctx: CommandContext): Promise<number> {
  const serverUrl = requireServer(ctx);
  const creds = await deviceLogin({
    serverUrl,
    stateDir: ctx.stateDir,
    env: ctx.env,
    ...(ctx.env.LEASEHOLD_CLIENT_ID ? { clientId: ctx.env.LEASEHOLD_CLIENT_ID } : {}),
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    onUserCode: (prompt) => {
      const url = prompt.verificationUriComplete ?? prompt.verificationUri;
      // The code goes to stderr in JSON mode too: the person must see it.
      ctx.out.stderr(`To sign in, open ${url}\nand confirm the code ${prompt.userCode} (valid ${Math.round(prompt.expiresInSeconds / 60)} min).\n`);
    },
  });
  ctx.out.result({ signedIn: true, expiresAt: new Date(creds.expiresAt).toISOString() }, `Signed in to ${serverUrl}.`);
  return 0;
}

/**
 * `leasehold logout`: revokes the refresh token and forgets the sign-in.
 *
 * @example
 * ```ts
 * await logout(ctx);
 * ```
 */
export async function logout(ctx: CommandContext): Promise<number> {
  const serverUrl = requireServer(ctx);
  const { revoked } = await signOut({ serverUrl, stateDir: ctx.stateDir, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
  ctx.out.result({ signedOut: true, revoked }, revoked ? 'Signed out.' : 'Signed out on this machine.');
  return 0;
}
