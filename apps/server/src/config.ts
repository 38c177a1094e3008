import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * All configuration, read once from the environment and validated. Any variable
 * NAME may instead be given as NAME_FILE, the path of a file holding the value
 * (how Kubernetes and Secret Manager mount secrets). Nothing else reads process.env.
 */
const seconds = z.coerce.number().int().min(0).max(86_400);

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LEASEHOLD_DATA_DIR: z.string().min(1).default('./data'),
  LEASEHOLD_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
    .optional(),
  // PEM of the CA that signs Redis's TLS certificate (Memorystore's server CA), for rediss:// URLs.
  REDIS_CA_CERT: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }).optional(),
  LEASEHOLD_REDIS_KEY_PREFIX: z.string().min(1).max(64).default('leasehold:'),
  // REDIS_URL names one node of a Redis Cluster (Memorystore's discovery endpoint); the others are discovered.
  LEASEHOLD_REDIS_CLUSTER: flag.default(false),
  // Replicas that must confirm every seat promise before it is answered (Redis WAIT); 0 with no replicas.
  LEASEHOLD_REDIS_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  // Below the 2 s command timeout: every command on the connection queues behind a WAIT.
  LEASEHOLD_REDIS_REPLICA_TIMEOUT_MS: z.coerce.number().int().min(10).max(1_500).default(500),
  LEASEHOLD_BOOTSTRAP_ADMIN_KEY: z.string().min(24, { message: 'must be at least 24 characters' }).optional(),
  LEASEHOLD_SIGNER: z.enum(['local', 'kms', 'pkcs11']).default('local'),
  LEASEHOLD_SIGNING_KEY_FILE: z.string().min(1).optional(),
  LEASEHOLD_KMS_KEY_VERSION: z.string().min(1).optional(),
  LEASEHOLD_KMS_PREVIOUS_KEY_VERSIONS: z.string().optional(),
  LEASEHOLD_KMS_ENDPOINT: z.url().optional(),
  LEASEHOLD_PKCS11_MODULE: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_PIN: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_KEY_LABEL: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_PREVIOUS_KEY_LABELS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEASEHOLD_REQUEST_LOG_LEVEL: z.enum(['info', 'debug', 'trace']).default('info'),
  LEASEHOLD_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  LEASEHOLD_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx): TrustProxy => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'object' && !Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed;
    }),
  // Above the load balancer's backend keep-alive (600 s on Google's), so the server never closes an idle connection the LB is about to reuse.
  LEASEHOLD_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(620),
  // /metrics on its own port (not routed by the Ingress); unset serves it on PORT.
  LEASEHOLD_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  LEASEHOLD_METRICS_HOST: z.string().min(1).optional(),
  LEASEHOLD_METRICS_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  LEASEHOLD_SHUTDOWN_GRACE_SECONDS: seconds.default(25),
  LEASEHOLD_REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LEASEHOLD_EMBEDDED_VACUUM_SECONDS: z.coerce.number().int().min(10).max(86400).default(300),
  LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  // Billing through Stripe.
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_/, { message: 'must be a Stripe secret or restricted key (sk_… or rk_…)' })
    .optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_', { message: 'must be a webhook signing secret (whsec_…)' }).optional(),
  STRIPE_WEBHOOK_SECRET_PREVIOUS: z.string().startsWith('whsec_', { message: 'must be a webhook signing secret (whsec_…)' }).optional(),
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEASEHOLD_BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  LEASEHOLD_BILLING_SUCCESS_URL: z.url().optional(),
  LEASEHOLD_BILLING_CANCEL_URL: z.url().optional(),
  LEASEHOLD_BILLING_PORTAL_RETURN_URL: z.url().optional(),
  // Identity: sign-in, tokens, device flow, external issuer.
  LEASEHOLD_RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  LEASEHOLD_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  LEASEHOLD_REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).max(31_536_000).default(2_592_000),
  LEASEHOLD_WEB_SESSION_TTL_SECONDS: z.coerce.number().int().min(300).max(2_592_000).default(604_800),
  LEASEHOLD_DEVICE_CODE_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  LEASEHOLD_DEVICE_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(60).default(5),
  LEASEHOLD_INVITATION_TTL_SECONDS: z.coerce.number().int().min(300).max(2_592_000).default(604_800),
  LEASEHOLD_CLOCK_LEEWAY_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  LEASEHOLD_AUTH_CLIENT_IDS: z.string().min(1).default('leasehold-cli'),
  LEASEHOLD_AUTH_REDIRECT_ORIGINS: z.string().optional(),
  LEASEHOLD_AUTH_DEFAULT_REDIRECT: z.string().startsWith('/').default('/api/v1/me'),
  LEASEHOLD_GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  LEASEHOLD_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  LEASEHOLD_GOOGLE_DISCOVERY_URL: z.url({ protocol: /^https?$/ }).default('https://accounts.google.com/.well-known/openid-configuration'),
  LEASEHOLD_GITHUB_CLIENT_ID: z.string().min(1).optional(),
  LEASEHOLD_GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  LEASEHOLD_GITHUB_URL: z.url({ protocol: /^https?$/ }).default('https://github.com'),
  LEASEHOLD_GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  LEASEHOLD_OIDC_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}$/, { message: 'must be lower-case letters, digits and dashes' })
    .default('oidc'),
  LEASEHOLD_OIDC_DISCOVERY_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEASEHOLD_OIDC_CLIENT_ID: z.string().min(1).optional(),
  LEASEHOLD_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  LEASEHOLD_OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  LEASEHOLD_EXTERNAL_ISSUER: z.string().min(1).optional(),
  LEASEHOLD_EXTERNAL_AUDIENCE: z.string().min(1).optional(),
  LEASEHOLD_EXTERNAL_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEASEHOLD_EXTERNAL_ALGORITHMS: z.string().min(1).default('RS256'),
  LEASEHOLD_EXTERNAL_TENANT_CLAIM: z.string().min(1).optional(),
  // Outgoing webhooks. Private targets only for development and tests: a receiver on this machine.
  LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS: flag.default(false),
  LEASEHOLD_WEBHOOKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  LEASEHOLD_WEBHOOKS_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(2),
  // E-mail. Without an SMTP URL, mails are written to the log (development mode).
  LEASEHOLD_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, { message: 'must be an smtp:// or smtps:// URL' })
    .optional(),
  LEASEHOLD_MAIL_FROM: z.string().min(3).default('Leasehold <no-reply@localhost>'),
  LEASEHOLD_MAIL_BRAND: z.string().min(1).max(100).default('Leasehold'),
  LEASEHOLD_MAIL_TEMPLATES_DIR: z.string().min(1).optional(),
  LEASEHOLD_VENDOR_EMAIL: z.email().optional(),
  LEASEHOLD_EXPIRY_REMINDER_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  // CI workload identity: OIDC issuers whose job tokens may take seats (mapped by rules), and the audience they must name.
  LEASEHOLD_CI_ISSUERS: z.string().min(1).default('https://token.actions.githubusercontent.com'),
  LEASEHOLD_CI_AUDIENCE: z.string().min(1).optional(),
  LEASEHOLD_CI_ALGORITHMS: z.string().min(1).default('RS256'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof schema>) {
  const dataDir = resolve(env.LEASEHOLD_DATA_DIR);
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir,
    publicUrl: (env.LEASEHOLD_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL ?? null,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL ?? null,
    redisKeyPrefix: env.LEASEHOLD_REDIS_KEY_PREFIX,
    redisCluster: env.LEASEHOLD_REDIS_CLUSTER,
    redisCaCert: env.REDIS_CA_CERT ?? null,
    redisReplicas: { count: env.LEASEHOLD_REDIS_REPLICAS, timeoutMs: env.LEASEHOLD_REDIS_REPLICA_TIMEOUT_MS },
    bootstrapAdminKey: env.LEASEHOLD_BOOTSTRAP_ADMIN_KEY ?? null,
    signer: {
      kind: env.LEASEHOLD_SIGNER,
      keyFile: resolve(dataDir, env.LEASEHOLD_SIGNING_KEY_FILE ?? 'signing-keys.json'),
      kmsKeyVersion: env.LEASEHOLD_KMS_KEY_VERSION ?? null,
      kmsPreviousKeyVersions: list(env.LEASEHOLD_KMS_PREVIOUS_KEY_VERSIONS),
      kmsEndpoint: env.LEASEHOLD_KMS_ENDPOINT ?? null,
      pkcs11Module: env.LEASEHOLD_PKCS11_MODULE ?? null,
      pkcs11TokenLabel: env.LEASEHOLD_PKCS11_TOKEN_LABEL ?? null,
      pkcs11Pin: env.LEASEHOLD_PKCS11_PIN ?? null,
      pkcs11KeyLabel: env.LEASEHOLD_PKCS11_KEY_LABEL ?? null,
      pkcs11PreviousKeyLabels: list(env.LEASEHOLD_PKCS11_PREVIOUS_KEY_LABELS),
    },
    logLevel: env.LOG_LEVEL,
    requestLogLevel: env.LEASEHOLD_REQUEST_LOG_LEVEL,
    bodyLimitBytes: env.LEASEHOLD_BODY_LIMIT_BYTES,
    trustProxy: env.LEASEHOLD_TRUST_PROXY,
    keepAliveTimeoutSeconds: env.LEASEHOLD_KEEP_ALIVE_TIMEOUT_SECONDS,
    metrics: {
      port: env.LEASEHOLD_METRICS_PORT ?? null,
      host: env.LEASEHOLD_METRICS_HOST ?? env.HOST,
      refreshSeconds: env.LEASEHOLD_METRICS_REFRESH_SECONDS,
    },
    shutdownGraceSeconds: env.LEASEHOLD_SHUTDOWN_GRACE_SECONDS,
    reaperIntervalSeconds: env.LEASEHOLD_REAPER_INTERVAL_SECONDS,
    embeddedVacuumSeconds: env.LEASEHOLD_EMBEDDED_VACUUM_SECONDS,
    rateLimits: {
      perIpPerMinute: env.LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE,
      perLicensePerMinute: env.LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE,
      perApiKeyPerMinute: env.LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE,
      authPerMinute: env.LEASEHOLD_RATE_LIMIT_AUTH_PER_MINUTE,
    },
    identity: identityConfig(env),
    ci: {
      issuers: list(env.LEASEHOLD_CI_ISSUERS).map((issuer) => issuer.replace(/\/+$/, '')),
      audience: env.LEASEHOLD_CI_AUDIENCE ?? (env.LEASEHOLD_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
      algorithms: list(env.LEASEHOLD_CI_ALGORITHMS),
    },
    billing: billingConfig(env),
    webhooks: {
      allowPrivateTargets: env.LEASEHOLD_WEBHOOKS_ALLOW_PRIVATE_TARGETS,
      timeoutMs: env.LEASEHOLD_WEBHOOKS_TIMEOUT_MS,
      intervalSeconds: env.LEASEHOLD_WEBHOOKS_INTERVAL_SECONDS,
    },
    mail: {
      smtpUrl: env.LEASEHOLD_SMTP_URL ?? null,
      from: env.LEASEHOLD_MAIL_FROM,
      brand: env.LEASEHOLD_MAIL_BRAND,
      templatesDir: env.LEASEHOLD_MAIL_TEMPLATES_DIR ? resolve(env.LEASEHOLD_MAIL_TEMPLATES_DIR) : null,
      vendorEmail: env.LEASEHOLD_VENDOR_EMAIL ?? null,
      expiryReminderDays: env.LEASEHOLD_EXPIRY_REMINDER_DAYS,
    },
  };
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** Sign-in providers, token lifetimes and the external issuer; a provider is on when its client ID is set. */
function identityConfig(env: z.infer<typeof schema>) {
  const provider = (clientId: string | undefined, clientSecret: string | undefined) => (clientId && clientSecret ? { clientId, clientSecret } : null);
  const google = provider(env.LEASEHOLD_GOOGLE_CLIENT_ID, env.LEASEHOLD_GOOGLE_CLIENT_SECRET);
  const github = provider(env.LEASEHOLD_GITHUB_CLIENT_ID, env.LEASEHOLD_GITHUB_CLIENT_SECRET);
  const oidc = provider(env.LEASEHOLD_OIDC_CLIENT_ID, env.LEASEHOLD_OIDC_CLIENT_SECRET);
  return {
    accessTokenTtlSeconds: env.LEASEHOLD_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.LEASEHOLD_REFRESH_TOKEN_TTL_SECONDS,
    webSessionTtlSeconds: env.LEASEHOLD_WEB_SESSION_TTL_SECONDS,
    deviceCodeTtlSeconds: env.LEASEHOLD_DEVICE_CODE_TTL_SECONDS,
    devicePollIntervalSeconds: env.LEASEHOLD_DEVICE_POLL_INTERVAL_SECONDS,
    invitationTtlSeconds: env.LEASEHOLD_INVITATION_TTL_SECONDS,
    clockLeewaySeconds: env.LEASEHOLD_CLOCK_LEEWAY_SECONDS,
    clientIds: list(env.LEASEHOLD_AUTH_CLIENT_IDS),
    redirectOrigins: list(env.LEASEHOLD_AUTH_REDIRECT_ORIGINS).map((o) => new URL(o).origin),
    defaultRedirect: env.LEASEHOLD_AUTH_DEFAULT_REDIRECT,
    google: google && { ...google, discoveryUrl: env.LEASEHOLD_GOOGLE_DISCOVERY_URL },
    github: github && {
      ...github,
      webUrl: env.LEASEHOLD_GITHUB_URL.replace(/\/+$/, ''),
      apiUrl: env.LEASEHOLD_GITHUB_API_URL.replace(/\/+$/, ''),
    },
    oidc:
      oidc && env.LEASEHOLD_OIDC_DISCOVERY_URL
        ? { ...oidc, name: env.LEASEHOLD_OIDC_NAME, discoveryUrl: env.LEASEHOLD_OIDC_DISCOVERY_URL, scopes: env.LEASEHOLD_OIDC_SCOPES }
        : null,
    external:
      env.LEASEHOLD_EXTERNAL_ISSUER && env.LEASEHOLD_EXTERNAL_AUDIENCE
        ? {
            issuer: env.LEASEHOLD_EXTERNAL_ISSUER,
            audience: env.LEASEHOLD_EXTERNAL_AUDIENCE,
            jwksUrl: env.LEASEHOLD_EXTERNAL_JWKS_URL ?? null,
            algorithms: list(env.LEASEHOLD_EXTERNAL_ALGORITHMS),
            tenantClaim: env.LEASEHOLD_EXTERNAL_TENANT_CLAIM ?? null,
          }
        : null,
  };
}

function billingConfig(env: z.infer<typeof schema>) {
  const publicUrl = (env.LEASEHOLD_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    stripeSecretKey: env.STRIPE_SECRET_KEY ?? null,
    /** The current signing secret first; the previous one is accepted while the endpoint's secret rotates. */
    webhookSecrets: [env.STRIPE_WEBHOOK_SECRET, env.STRIPE_WEBHOOK_SECRET_PREVIOUS].filter((s): s is string => Boolean(s)),
    stripeApiUrl: env.STRIPE_API_URL ?? null,
    graceDays: env.LEASEHOLD_BILLING_GRACE_DAYS,
    urls: {
      success: env.LEASEHOLD_BILLING_SUCCESS_URL ?? `${publicUrl}/billing/success`,
      cancel: env.LEASEHOLD_BILLING_CANCEL_URL ?? `${publicUrl}/billing/cancelled`,
      portalReturn: env.LEASEHOLD_BILLING_PORTAL_RETURN_URL ?? publicUrl,
    },
  };
}

/** Raised when configuration is refused; its message names every bad variable. */
export class ConfigError extends Error {}

/** Reads NAME_FILE variants into NAME, so secrets can be mounted as files. */
function resolveFileVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const problems: string[] = [];
  for (const key of Object.keys(schema.shape)) {
    const direct = env[key];
    const file = env[`${key}_FILE`];
    if (direct !== undefined && direct !== '' && file) {
      problems.push(`${key}: set either ${key} or ${key}_FILE, not both`);
    } else if (file) {
      try {
        out[key] = readFileSync(file, 'utf8').trim();
      } catch (error) {
        problems.push(`${key}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    } else if (direct !== undefined && direct !== '') {
      out[key] = direct;
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Validates the environment, refusing with every bad variable named. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values = resolveFileVariables(env);
  const parsed = schema.safeParse(values);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  } else {
    const s = parsed.data;
    if (s.REDIS_CA_CERT && !s.REDIS_URL?.startsWith('rediss://')) problems.push('REDIS_CA_CERT: only used with a rediss:// REDIS_URL');
    if (s.LEASEHOLD_METRICS_PORT !== undefined && s.LEASEHOLD_METRICS_PORT !== 0 && s.LEASEHOLD_METRICS_PORT === s.PORT) {
      problems.push('LEASEHOLD_METRICS_PORT: must differ from PORT');
    }
    if (s.LEASEHOLD_SIGNER === 'kms' && !s.LEASEHOLD_KMS_KEY_VERSION) {
      problems.push('LEASEHOLD_KMS_KEY_VERSION: required when LEASEHOLD_SIGNER=kms');
    }
    for (const [id, secret] of [
      ['LEASEHOLD_GOOGLE_CLIENT_ID', 'LEASEHOLD_GOOGLE_CLIENT_SECRET'],
      ['LEASEHOLD_GITHUB_CLIENT_ID', 'LEASEHOLD_GITHUB_CLIENT_SECRET'],
      ['LEASEHOLD_OIDC_CLIENT_ID', 'LEASEHOLD_OIDC_CLIENT_SECRET'],
    ] as const) {
      if (Boolean(s[id]) !== Boolean(s[secret])) problems.push(`${s[id] ? secret : id}: required when ${s[id] ? id : secret} is set`);
    }
    if (s.LEASEHOLD_OIDC_CLIENT_ID && !s.LEASEHOLD_OIDC_DISCOVERY_URL)
      problems.push('LEASEHOLD_OIDC_DISCOVERY_URL: required when LEASEHOLD_OIDC_CLIENT_ID is set');
    if (['google', 'github', 'device', 'invitations', 'token', 'logout'].includes(s.LEASEHOLD_OIDC_NAME))
      problems.push('LEASEHOLD_OIDC_NAME: must not be a name /auth already uses');
    if (Boolean(s.LEASEHOLD_EXTERNAL_ISSUER) !== Boolean(s.LEASEHOLD_EXTERNAL_AUDIENCE)) {
      problems.push('LEASEHOLD_EXTERNAL_AUDIENCE: LEASEHOLD_EXTERNAL_ISSUER and LEASEHOLD_EXTERNAL_AUDIENCE go together');
    }
    for (const alg of list(s.LEASEHOLD_EXTERNAL_ALGORITHMS)) {
      if (!/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(alg))
        problems.push(`LEASEHOLD_EXTERNAL_ALGORITHMS: ${alg} is not an allowed asymmetric algorithm`);
    }
    for (const issuer of list(s.LEASEHOLD_CI_ISSUERS)) {
      if (!URL.canParse(issuer) || !/^https?:$/.test(new URL(issuer).protocol)) problems.push(`LEASEHOLD_CI_ISSUERS: ${issuer} is not an http(s) URL`);
    }
    for (const alg of list(s.LEASEHOLD_CI_ALGORITHMS)) {
      if (!/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(alg)) problems.push(`LEASEHOLD_CI_ALGORITHMS: ${alg} is not an allowed asymmetric algorithm`);
    }
    for (const origin of list(s.LEASEHOLD_AUTH_REDIRECT_ORIGINS)) {
      if (!URL.canParse(origin) || !/^https?:$/.test(new URL(origin).protocol))
        problems.push(`LEASEHOLD_AUTH_REDIRECT_ORIGINS: ${origin} is not an http(s) origin`);
    }
    if (!s.LEASEHOLD_AUTH_DEFAULT_REDIRECT.startsWith('/') || s.LEASEHOLD_AUTH_DEFAULT_REDIRECT.startsWith('//')) {
      problems.push('LEASEHOLD_AUTH_DEFAULT_REDIRECT: must be a path on this server');
    }
    if (s.LEASEHOLD_SIGNER === 'pkcs11') {
      for (const key of ['LEASEHOLD_PKCS11_MODULE', 'LEASEHOLD_PKCS11_TOKEN_LABEL', 'LEASEHOLD_PKCS11_PIN', 'LEASEHOLD_PKCS11_KEY_LABEL'] as const) {
        if (!s[key]) problems.push(`${key}: required when LEASEHOLD_SIGNER=pkcs11`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return toConfig(parsed.data);
}

/**
 * Which proxies' X-Forwarded-For entries to believe: none, the nearest N hops,
 * or only hops whose address is in a CIDR list. "Trust everything" is refused:
 * it takes the leftmost entry, which any client can write.
 */
export type TrustProxy = false | number | string[];

/** Parses LEASEHOLD_TRUST_PROXY; returns a message naming what is wrong, or the value. */
function parseTrustProxy(value: string): TrustProxy | { problem: string } {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return false;
  if (trimmed === 'true') {
    return { problem: 'true would believe any client-written X-Forwarded-For; give a hop count (e.g. 2 behind Google’s load balancer) or a CIDR list' };
  }
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return hops <= 10 ? hops : { problem: `${hops} hops is more proxies than any deployment has (at most 10)` };
  }
  const entries = trimmed.split(',').map((e) => e.trim());
  const bad = entries.filter((entry) => !isCidr(entry));
  if (bad.length > 0)
    return { problem: `${bad.join(', ')}: not an IP address or CIDR range (expected a hop count or a list such as 35.191.0.0/16,130.211.0.0/22)` };
  return entries;
}

function isCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
