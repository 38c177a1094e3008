import type { AccessTokens } from './access-tokens.js';
import type { AccountService } from './account-service.js';
import type { Authenticator } from './authenticator.js';
import type { DeviceService } from './device-service.js';
import type { MembershipService } from './membership-service.js';
import type { SignInService } from './sign-in-service.js';
import type { TokenService } from './token-service.js';
import type { WorkloadTokens } from './workload-tokens.js';

/** Sign-in, tokens, device flow and organisation membership, built once at start-up. */
export interface IdentityServices {
  accessTokens: AccessTokens;
  accounts: AccountService;
  authenticator: Authenticator;
  tokens: TokenService;
  device: DeviceService;
  signIn: SignInService;
  memberships: MembershipService;
  /** CI jobs' workload identity tokens (GitHub Actions OIDC and other configured issuers). */
  workloadTokens: WorkloadTokens;
  licenseForUser(userId: string, productCode: string, licenseId: string | undefined): Promise<string>;
}
