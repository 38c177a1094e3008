import { createHash } from 'node:crypto';
import { LeaseholdError } from '../errors/errors.js';
import type { Fingerprint } from '../fingerprint/fingerprint.js';
import type { FetchLike } from '../http/fetch-like.js';

/**
 * A CI job's workload identity: the OIDC token it presents instead of a license key, and
 * the seat's fingerprint, derived (as the server derives it) from the token's issuer,
 * repository, run and attempt and the job's name, so each job holds one seat.
 *
 * @example
 * ```ts
 * const ci = await workloadIdentity(process.env, 'https://lic.example.com');
 * if (ci) console.log(`acquiring as ${ci.repository}`);
 * ```
 */
export interface WorkloadIdentity {
  token: string;
  repository: string;
  fingerprint: Fingerprint;
}

/**
 * The CI's workload identity token from the environment, or null outside CI:
 * `LEASEHOLD_CI_TOKEN` when set (any issuer), else GitHub Actions' — requested from
 * `ACTIONS_ID_TOKEN_REQUEST_URL` with `ACTIONS_ID_TOKEN_REQUEST_TOKEN` for the audience
 * `LEASEHOLD_CI_AUDIENCE` (default: the server's URL). The job's name is
 * `LEASEHOLD_CI_JOB`, else `GITHUB_JOB` (set `LEASEHOLD_CI_JOB` per matrix leg to give
 * each its own seat).
 *
 * @example
 * ```ts
 * const ci = await workloadIdentity(process.env, serverUrl);
 * ```
 */
export async function workloadIdentity(
  env: Record<string, string | undefined>,
  serverUrl: string,
  fetchImpl: FetchLike = fetch,
): Promise<WorkloadIdentity | null> {
  const token = env.LEASEHOLD_CI_TOKEN || (await githubActionsToken(env, env.LEASEHOLD_CI_AUDIENCE || serverUrl, fetchImpl));
  if (!token) return null;
  const claims = decodeClaims(token);
  const text = (...names: string[]) => {
    for (const name of names) if (typeof claims[name] === 'string' || typeof claims[name] === 'number') return String(claims[name]);
    return '';
  };
  const job = env.LEASEHOLD_CI_JOB || env.GITHUB_JOB || '';
  const repository = text('repository', 'project_path');
  const parts = ['leasehold-ci-job', text('iss').replace(/\/+$/, ''), repository, text('run_id', 'pipeline_id'), text('run_attempt') || '1', job];
  return {
    token,
    repository,
    fingerprint: { fingerprint: createHash('sha256').update(parts.join('\n')).digest('hex'), components: { ciJob: job.slice(0, 128) }, source: 'override' },
  };
}

async function githubActionsToken(env: Record<string, string | undefined>, audience: string, fetchImpl: FetchLike): Promise<string | null> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !requestToken) return null;
  const withAudience = `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  let status = 0;
  try {
    const response = await fetchImpl(withAudience, {
      headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    status = response.status;
    const body = (await response.json()) as { value?: unknown };
    if (response.ok && typeof body.value === 'string') return body.value;
  } catch {
    // Reported below.
  }
  throw new LeaseholdError(
    'NOT_LICENSED',
    `GitHub Actions did not give this job an OIDC token${status ? ` (HTTP ${status})` : ''}. Give the job "permissions: id-token: write", or set a license key.`,
  );
}

function decodeClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new LeaseholdError('NOT_LICENSED', 'The CI workload identity token is not a JWT.');
  }
}
