import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The claims of a GitHub Actions job a test token speaks for; the rest are filled in as GitHub does. */
export interface JobClaims {
  repository?: string;
  ref?: string;
  run_id?: string;
  run_attempt?: string;
  job_workflow_ref?: string;
  [claim: string]: string | number | undefined;
}

/**
 * A stand-in for GitHub Actions' OIDC issuer on 127.0.0.1: its discovery document and
 * JWKS (RS256), tokens shaped exactly like GitHub's (claims per GitHub's "About security
 * hardening with OpenID Connect"), and the runner's token request endpoint
 * (`ACTIONS_ID_TOKEN_REQUEST_URL`, authorised by `ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
 */
export interface CiIssuer {
  issuer: string;
  /** What a job's environment holds to request tokens, as the runner sets it. */
  requestUrl: string;
  requestToken: string;
  /** A signed token; `signWith` forges one with another key under the same `kid`. */
  token(options: { audience: string; now: Date; claims?: JobClaims; lifetimeSeconds?: number; signWith?: 'issuer' | 'stranger' }): string;
  /** Token requests the endpoint answered, with the audience each asked for. */
  requests: string[];
  /** What the request endpoint issues: the claims and clock of the job. */
  job: { claims: JobClaims; now: () => Date };
  close(): Promise<void>;
}

const KID = 'test-actions-key';

export async function startCiIssuer(): Promise<CiIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  const requestToken = `runtime-${randomUUID()}`;
  const requests: string[] = [];
  const job: CiIssuer['job'] = { claims: {}, now: () => new Date() };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: [
          'sub',
          'aud',
          'exp',
          'iat',
          'iss',
          'jti',
          'nbf',
          'ref',
          'repository',
          'repository_owner',
          'run_id',
          'run_attempt',
          'job_workflow_ref',
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (url.pathname === '/.well-known/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/_apis/pipelines/workflows/token') {
      if (req.headers.authorization !== `Bearer ${requestToken}`) return json(401, { message: 'bad runtime token' });
      const audience = url.searchParams.get('audience') ?? issuer;
      requests.push(audience);
      return json(200, { count: 1, value: sign(privateKey, audience, job.now(), job.claims, 300) });
    }
    json(404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function sign(key: KeyObject, audience: string, now: Date, claims: JobClaims, lifetimeSeconds: number): string {
    const iat = Math.floor(now.getTime() / 1000);
    const repository = String(claims.repository ?? 'acme/build-tools');
    const ref = String(claims.ref ?? 'refs/heads/main');
    const owner = repository.split('/')[0] as string;
    const payload = {
      jti: randomUUID(),
      sub: `repo:${repository}:ref:${ref}`,
      aud: audience,
      ref,
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      repository,
      repository_owner: owner,
      repository_owner_id: '65432',
      run_id: '7301928374',
      run_number: '42',
      run_attempt: '1',
      repository_visibility: 'private',
      repository_id: '123456789',
      actor_id: '1234',
      actor: 'octocat',
      workflow: 'build',
      head_ref: '',
      base_ref: '',
      event_name: 'push',
      ref_protected: 'true',
      ref_type: 'branch',
      workflow_ref: `${repository}/.github/workflows/build.yml@${ref}`,
      workflow_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      job_workflow_ref: `${repository}/.github/workflows/build.yml@${ref}`,
      job_workflow_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      runner_environment: 'github-hosted',
      iss: issuer,
      nbf: iat - 5,
      exp: iat + lifetimeSeconds,
      iat,
      ...claims,
    };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${b64({ typ: 'JWT', alg: 'RS256', x5t: 'test', kid: KID })}.${b64(payload)}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
  }

  return {
    issuer,
    requestUrl: `${issuer}/_apis/pipelines/workflows/token?api-version=2.0`,
    requestToken,
    token: ({ audience, now, claims = {}, lifetimeSeconds = 300, signWith = 'issuer' }) =>
      sign(signWith === 'issuer' ? privateKey : stranger, audience, now, claims, lifetimeSeconds),
    requests,
    job,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
