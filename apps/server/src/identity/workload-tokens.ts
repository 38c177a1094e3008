import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { Clock } from '../kernel/clock.js';
import { LeaseholdError } from '../kernel/errors.js';
import type { WorkloadClaims } from '../kernel/workload-claims.js';

export interface WorkloadTokenConfig {
  /** Trusted issuers, without a trailing slash. */
  issuers: string[];
  audience: string;
  algorithms: string[];
}

/** The claims kept in the audit log of a CI seat (GitHub's names; GitLab's where they differ). */
const AUDITED_CLAIMS = [
  'sub',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'ref',
  'ref_type',
  'sha',
  'workflow',
  'job_workflow_ref',
  'event_name',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'actor_id',
  'runner_environment',
  'project_path',
  'pipeline_id',
  'job_id',
];

/**
 * Verifies CI workload identity tokens: the issuer must be trusted, the signature must
 * verify against the issuer's JWKS (found through its discovery document, cached by jose,
 * refetched on an unknown `kid` at most every 30 s), and audience, expiry and not-before
 * must hold. Every refusal is a 401 TOKEN_INVALID saying which check failed.
 */
export class WorkloadTokens {
  readonly #keySets = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();

  constructor(
    private readonly config: WorkloadTokenConfig,
    private readonly clock: Clock,
    private readonly leewaySeconds: number,
  ) {}

  async verify(token: string): Promise<WorkloadClaims> {
    let issuer: string;
    try {
      issuer = String(decodeJwt(token).iss ?? '').replace(/\/+$/, '');
    } catch {
      throw invalid('The workload identity token is not a JWT.');
    }
    if (!this.config.issuers.includes(issuer)) throw invalid(`The workload identity token's issuer (${issuer || 'none'}) is not trusted by this server.`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.#keySet(issuer), {
        issuer: [issuer, `${issuer}/`],
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        currentDate: this.clock.now(),
        clockTolerance: this.leewaySeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      throw refusal(error, this.config.audience);
    }
    const text = (name: string) => (typeof payload[name] === 'string' || typeof payload[name] === 'number' ? String(payload[name]) : null);
    const repository = text('repository') ?? text('project_path');
    const runId = text('run_id') ?? text('pipeline_id');
    if (!repository || !runId) throw invalid('The workload identity token has no repository and run_id claims (or project_path and pipeline_id).');
    const audited: Record<string, string> = { iss: issuer };
    for (const name of AUDITED_CLAIMS) {
      const value = text(name);
      if (value !== null) audited[name] = value.slice(0, 512);
    }
    return {
      issuer,
      subject: String(payload.sub),
      repository,
      repositoryOwner: text('repository_owner') ?? text('namespace_path'),
      ref: text('ref'),
      jobWorkflowRef: text('job_workflow_ref'),
      runId,
      runAttempt: text('run_attempt') ?? '1',
      audited,
    };
  }

  /** The issuer's key set; a failed discovery is not kept, so the next token tries again. */
  #keySet(issuer: string): Promise<ReturnType<typeof createRemoteJWKSet>> {
    let keys = this.#keySets.get(issuer);
    if (!keys) {
      keys = discoverJwksUri(issuer).then((uri) =>
        createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 }),
      );
      keys.catch(() => this.#keySets.delete(issuer));
      this.#keySets.set(issuer, keys);
    }
    return keys;
  }
}

/**
 * The `jwks_uri` of an issuer's OpenID discovery document. GitHub's lacks the endpoints a
 * sign-in provider has, so only `issuer` and `jwks_uri` are required here.
 */
async function discoverJwksUri(issuer: string): Promise<string> {
  let body: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw unavailable(`The CI issuer's discovery document could not be read (${(error as Error).message}).`);
  }
  if (typeof body.jwks_uri !== 'string' || String(body.issuer ?? '').replace(/\/+$/, '') !== issuer) {
    throw unavailable("The CI issuer's discovery document names another issuer or no jwks_uri.");
  }
  return body.jwks_uri;
}

function refusal(error: unknown, audience: string): LeaseholdError {
  if (error instanceof LeaseholdError) return error;
  if (error instanceof errors.JWTExpired) return invalid('The workload identity token has expired. Request a new one from the CI.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalid(`The workload identity token is not meant for this server: its audience must be ${audience}.`);
    return invalid(`The workload identity token's ${error.claim} claim is not accepted (${error.reason}).`);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return unavailable("The CI issuer's keys could not be fetched.");
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid("The workload identity token's signature does not verify against the issuer's keys.");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("The workload identity token's algorithm is not allowed.");
  if (error instanceof errors.JOSEError) return invalid(`The workload identity token is not valid (${error.code}).`);
  if (error instanceof TypeError || (error as { name?: string })?.name === 'TimeoutError') return unavailable("The CI issuer's keys could not be fetched.");
  return invalid('The workload identity token is not valid.');
}

const invalid = (detail: string) => new LeaseholdError('TOKEN_INVALID', detail);
const unavailable = (detail: string) => new LeaseholdError('SERVICE_UNAVAILABLE', detail, { dependency: 'ci-issuer' }, 30);
