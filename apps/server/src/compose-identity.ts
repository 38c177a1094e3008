import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { AccessTokens } from './identity/access-tokens.js';
import { AccountService } from './identity/account-service.js';
import { Authenticator } from './identity/authenticator.js';
import { DeviceService } from './identity/device-service.js';
import { ExternalIssuer } from './identity/external-issuer.js';
import { GitHubSignIn } from './identity/github-client.js';
import type { IdentityServices } from './identity/identity-services.js';
import { MembershipService } from './identity/membership-service.js';
import { OidcSignIn } from './identity/oidc-provider-client.js';
import type { SignInProvider } from './identity/sign-in-provider.js';
import { SignInService } from './identity/sign-in-service.js';
import { TokenService } from './identity/token-service.js';
import { licenseForUser } from './identity/user-licenses.js';
import { WorkloadTokens } from './identity/workload-tokens.js';
import type { Clock } from './kernel/clock.js';
import type { Signer } from './signing/signer.js';

/** The identity part of the composition root: sign-in providers, tokens, device flow, memberships, from the configuration. */
export function createIdentity(deps: { config: Config; db: Db; clock: Clock; signer: Signer }): IdentityServices {
  const { config, db, clock, signer } = deps;
  const id = config.identity;
  const leeway = id.clockLeewaySeconds;
  const accessTokens = new AccessTokens(signer, config.publicUrl, id.accessTokenTtlSeconds, leeway);
  const accounts = new AccountService({ db, clock });
  const tokens = new TokenService({ db, clock, accessTokens, refreshTtlSeconds: id.refreshTokenTtlSeconds });
  const providers = new Map<string, SignInProvider>();
  if (id.google) providers.set('google', new OidcSignIn({ name: 'google', scopes: 'openid email profile', ...id.google }, leeway));
  if (id.github) providers.set('github', new GitHubSignIn(id.github));
  if (id.oidc) providers.set(id.oidc.name, new OidcSignIn(id.oidc, leeway));
  const external = id.external ? new ExternalIssuer(id.external, leeway) : null;
  return {
    accessTokens,
    accounts,
    authenticator: new Authenticator({ clock, accessTokens, accounts, external }),
    tokens,
    device: new DeviceService({
      db,
      clock,
      tokens,
      clientIds: id.clientIds,
      ttlSeconds: id.deviceCodeTtlSeconds,
      intervalSeconds: id.devicePollIntervalSeconds,
      verificationUri: `${config.publicUrl}/auth/device`,
    }),
    signIn: new SignInService({
      db,
      clock,
      accounts,
      providers,
      publicUrl: config.publicUrl,
      redirectOrigins: id.redirectOrigins,
      defaultRedirect: id.defaultRedirect,
      webSessionTtlSeconds: id.webSessionTtlSeconds,
    }),
    memberships: new MembershipService({ db, clock, publicUrl: config.publicUrl, invitationTtlSeconds: id.invitationTtlSeconds }),
    workloadTokens: new WorkloadTokens(config.ci, clock, leeway),
    licenseForUser: (userId, productCode, licenseId) => licenseForUser(db, userId, productCode, licenseId),
  };
}
