import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * All configuration, read once from the environment and validated. Any variable
 * NAME may instead be given as NAME_FILE, the path of a file holding the value
 * (how Kubernetes and Secret Manager mount secrets). Nothing else reads process.env.
 */
const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const seconds = z.coerce.number().int().min(0).max(86_400);

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
  LEASEHOLD_REDIS_KEY_PREFIX: z.string().min(1).max(64).default('leasehold:'),
  LEASEHOLD_BOOTSTRAP_ADMIN_KEY: z.string().min(24, { message: 'must be at least 24 characters' }).optional(),
  LEASEHOLD_SIGNER: z.enum(['local', 'kms', 'pkcs11']).default('local'),
  LEASEHOLD_SIGNING_KEY_FILE: z.string().min(1).optional(),
  LEASEHOLD_KMS_KEY_VERSION: z.string().min(1).optional(),
  LEASEHOLD_KMS_ENDPOINT: z.url().optional(),
  LEASEHOLD_PKCS11_MODULE: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_PIN: z.string().min(1).optional(),
  LEASEHOLD_PKCS11_KEY_LABEL: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEASEHOLD_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  LEASEHOLD_TRUST_PROXY: boolean.default(false),
  LEASEHOLD_SHUTDOWN_GRACE_SECONDS: seconds.default(25),
  LEASEHOLD_REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
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
    bootstrapAdminKey: env.LEASEHOLD_BOOTSTRAP_ADMIN_KEY ?? null,
    signer: {
      kind: env.LEASEHOLD_SIGNER,
      keyFile: resolve(dataDir, env.LEASEHOLD_SIGNING_KEY_FILE ?? 'signing-keys.json'),
      kmsKeyVersion: env.LEASEHOLD_KMS_KEY_VERSION ?? null,
      kmsEndpoint: env.LEASEHOLD_KMS_ENDPOINT ?? null,
      pkcs11Module: env.LEASEHOLD_PKCS11_MODULE ?? null,
      pkcs11TokenLabel: env.LEASEHOLD_PKCS11_TOKEN_LABEL ?? null,
      pkcs11Pin: env.LEASEHOLD_PKCS11_PIN ?? null,
      pkcs11KeyLabel: env.LEASEHOLD_PKCS11_KEY_LABEL ?? null,
    },
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.LEASEHOLD_BODY_LIMIT_BYTES,
    trustProxy: env.LEASEHOLD_TRUST_PROXY,
    shutdownGraceSeconds: env.LEASEHOLD_SHUTDOWN_GRACE_SECONDS,
    reaperIntervalSeconds: env.LEASEHOLD_REAPER_INTERVAL_SECONDS,
    rateLimits: {
      perIpPerMinute: env.LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE,
      perLicensePerMinute: env.LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE,
      perApiKeyPerMinute: env.LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE,
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
    if (s.LEASEHOLD_SIGNER === 'kms' && !s.LEASEHOLD_KMS_KEY_VERSION) {
      problems.push('LEASEHOLD_KMS_KEY_VERSION: required when LEASEHOLD_SIGNER=kms');
    }
    if (s.LEASEHOLD_SIGNER === 'pkcs11') {
      for (const key of ['LEASEHOLD_PKCS11_MODULE', 'LEASEHOLD_PKCS11_PIN', 'LEASEHOLD_PKCS11_KEY_LABEL'] as const) {
        if (!s[key]) problems.push(`${key}: required when LEASEHOLD_SIGNER=pkcs11`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return toConfig(parsed.data);
}

/** Every variable the server reads, for the README and `--help`. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);
