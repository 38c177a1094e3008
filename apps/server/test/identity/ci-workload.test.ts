import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CiIssuer, type JobClaims, startCiIssuer } from '../../../../test-support/ci-issuer.js';
import { ciSeats } from '../../src/db/schema.js';
import { createRedisHarness } from '../redis/redis-support.js';
import { acquireBody, createHarness, expectStatus, type Harness, type SeededLicense, seedLicense } from '../support/harness.js';
import { asUser, newUser, personalOrg } from './support.js';

// The audience CI jobs request their token for: the server's public URL (the harness's).
const AUDIENCE = 'https://licenses.example.test';

let h: Harness;
let issuer: CiIssuer;

beforeAll(async () => {
  issuer = await startCiIssuer();
});
afterAll(async () => {
  await issuer?.close();
});

// Both seat stores: the pool is counted in PostgreSQL, the seats by the store.
const STORES = {
  'the SQL store': (env: Record<string, string>) => createHarness('postgres', { env }),
  'the Redis store': (env: Record<string, string>) => createRedisHarness({ env }),
};

const tokenFor = (claims: JobClaims = {}, extra: { audience?: string; lifetimeSeconds?: number; signWith?: 'issuer' | 'stranger'; at?: Date } = {}) =>
  issuer.token({ audience: extra.audience ?? AUDIENCE, now: extra.at ?? h.clock.now(), claims, ...extra });

function acquireAsJob(seed: SeededLicense, token: string, job = 'build', extra: Record<string, unknown> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/licenses/acquire',
    headers: { 'content-type': 'application/json', authorization: `Workload ${token}` },
    payload: JSON.stringify({ product: seed.productCode, fingerprint: 'ignored-for-ci-seats', fingerprintComponents: { ciJob: job }, ...extra }),
  });
}

async function mapping(seed: SeededLicense, body: Record<string, unknown>) {
  return expectStatus(await h.admin('POST', '/ci-mappings', { licenseId: seed.licenseId, issuer: issuer.issuer, ...body }), 201);
}

const jobFingerprint = (repository: string, runId: string, attempt: string, job: string) =>
  createHash('sha256').update(['leasehold-ci-job', issuer.issuer, repository, runId, attempt, job].join('\n')).digest('hex');

describe.each(Object.entries(STORES))('CI jobs as seat holders (GitHub Actions OIDC), on %s', (_store, harness) => {
  beforeAll(async () => {
    h = await harness({ LEASEHOLD_CI_ISSUERS: `https://token.actions.githubusercontent.com,${issuer.issuer}` });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a job with a GitHub-shaped token takes a seat mapped by repository, one per job, audited with its claims', async () => {
    const seed = await seedLicense(h, { seats: 3, seatBasis: 'machine' });
    const rule = await mapping(seed, { repository: 'acme/*' });
    expect(rule).toMatchObject({ licenseId: seed.licenseId, organisationId: seed.organisationId, mode: 'enforce', maxConcurrent: null, ref: null });

    const token = tokenFor({ repository: 'acme/build-tools', run_id: '9001', run_attempt: '2' });
    const seat = expectStatus(await acquireAsJob(seed, token, 'build'), 200);
    expect(seat).toMatchObject({
      licenseId: seed.licenseId,
      reused: false,
      ci: { mappingId: rule.id, mode: 'enforce', repository: 'acme/build-tools', poolUsed: 1 },
    });
    const claims = JSON.parse(Buffer.from(seat.leaseToken.split('.')[1], 'base64url').toString());
    expect(claims.fingerprint).toBe(jobFingerprint('acme/build-tools', '9001', '2', 'build'));

    // A second process of the same job shares the job's seat; another job of the run takes its own.
    const again = expectStatus(await acquireAsJob(seed, tokenFor({ repository: 'acme/build-tools', run_id: '9001', run_attempt: '2' }), 'build'), 200);
    expect(again.seats.used).toBe(1);
    const other = expectStatus(await acquireAsJob(seed, token, 'test'), 200);
    expect(other.seats.used).toBe(2);

    const events = expectStatus(await h.admin('GET', `/audit?action=ci.seat-granted&targetId=${seat.sessionId}`), 200).data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: 'workload',
      actorId: 'repo:acme/build-tools:ref:refs/heads/main',
      organisationId: seed.organisationId,
      data: {
        mappingId: rule.id,
        claims: { iss: issuer.issuer, repository: 'acme/build-tools', ref: 'refs/heads/main', run_id: '9001', run_attempt: '2', actor: 'octocat' },
      },
    });

    // It heartbeats and releases like any session.
    const secret = { 'content-type': 'application/json', 'leasehold-session-secret': seat.sessionSecret };
    const post = (path: string) =>
      h.app.inject({ method: 'POST', url: `/api/v1/licenses/${path}`, headers: secret, payload: JSON.stringify({ sessionId: seat.sessionId }) });
    expectStatus(await post('heartbeat'), 200);
    expectStatus(await post('release'), 200);
    const metrics = await h.services.metrics.registry.getSingleMetricAsString('leasehold_ci_seat_grants_total');
    expect(metrics).toContain(`license_id="${seed.licenseId}",mode="enforce",over_pool="false"`);
  });

  it('refuses forged, expired, wrong-audience, untrusted-issuer and unmapped tokens with clear 4xx', async () => {
    const seed = await seedLicense(h, { seats: 3 });
    await mapping(seed, { repository: 'acme/build-tools' });
    const cases: Array<[string, string, number, string, RegExp]> = [
      ['forged', tokenFor({}, { signWith: 'stranger' }), 401, 'TOKEN_INVALID', /signature/],
      ['expired', tokenFor({}, { at: new Date(h.clock.now().getTime() - 3_600_000) }), 401, 'TOKEN_INVALID', /expired/],
      [
        'wrong audience',
        tokenFor({}, { audience: 'https://someone-else.example' }),
        401,
        'TOKEN_INVALID',
        /audience must be https:\/\/licenses\.example\.test/,
      ],
      ['unmapped repository', tokenFor({ repository: 'mallory/build-tools' }), 404, 'LICENSE_NOT_FOUND', /No CI mapping .* matches mallory\/build-tools/],
      ['not a JWT', 'abc.def', 400, 'VALIDATION_FAILED', /headers\.authorization/],
    ];
    for (const [name, token, status, code, detail] of cases) {
      const answer = await acquireAsJob(seed, token);
      expect(answer.statusCode, `${name}: ${answer.body}`).toBe(status);
      expect(answer.json(), name).toMatchObject({ code });
      expect(answer.json().detail, name).toMatch(detail);
    }
    // A token of an issuer the server does not trust (GitHub's real one, unsigned here) is refused before any fetch.
    const [header, , signature] = tokenFor().split('.');
    const payload = Buffer.from(JSON.stringify({ iss: 'https://evil.example', aud: AUDIENCE, sub: 'x', exp: 1 })).toString('base64url');
    const untrusted = await acquireAsJob(seed, `${header}.${payload}.${signature}`);
    expect(untrusted.statusCode).toBe(401);
    expect(untrusted.json().detail).toMatch(/issuer \(https:\/\/evil\.example\) is not trusted/);
    // A key and a token at once is a mistake worth naming.
    const both = await acquireAsJob(seed, tokenFor(), 'build', { licenseKey: seed.key });
    expect(both.statusCode).toBe(400);
    expect(expectStatus(await h.admin('GET', `/sessions?licenseId=${seed.licenseId}`), 200).data).toHaveLength(0);
  });

  it('keeps a CI pool apart from interactive seats: 409 over it, a freed place goes to the next job', async () => {
    const seed = await seedLicense(h, { seats: 5, seatBasis: 'machine' });
    await mapping(seed, { repository: 'acme/build-tools', maxConcurrent: 1 });
    const first = expectStatus(await acquireAsJob(seed, tokenFor({ run_id: '1' })), 200);
    expect(first.ci).toMatchObject({ poolUsed: 1, poolMax: 1, warning: null });
    const refused = await acquireAsJob(seed, tokenFor({ run_id: '2' }));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'NO_SEAT_AVAILABLE', seatsUsed: 1, seatsTotal: 1 });
    expect(refused.json().detail).toMatch(/^The one CI seat of the mapping for acme\/build-tools is held by other jobs/);
    expect(refused.headers['retry-after']).toBeDefined();
    // The same job again (a second process of it) is not another job.
    const sameJob = expectStatus(await acquireAsJob(seed, tokenFor({ run_id: '1' })), 200);
    // People with the license key are not held back by the CI pool.
    expectStatus(await h.licensing('acquire', acquireBody(seed, 'interactive-laptop-1')), 200);

    const release = (seat: { sessionId: string; sessionSecret: string }) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/licenses/release',
        headers: { 'content-type': 'application/json', 'leasehold-session-secret': seat.sessionSecret },
        payload: JSON.stringify({ sessionId: seat.sessionId }),
      });
    expectStatus(await release(first), 200);
    // The job still holds its place through its other process.
    expect((await acquireAsJob(seed, tokenFor({ run_id: '2' }))).statusCode).toBe(409);
    expectStatus(await release(sameJob), 200);
    expectStatus(await acquireAsJob(seed, tokenFor({ run_id: '2' })), 200);
    const refusals = expectStatus(await h.admin('GET', `/audit?action=ci.pool-refused&targetId=${seed.licenseId}`), 200).data;
    expect(refusals).toHaveLength(2);
  });

  it('forgets the pool markers of jobs that ended over a day ago (the audit log keeps them)', async () => {
    const seed = await seedLicense(h, { seats: 5, seatBasis: 'machine', leaseTtlSeconds: 86_400, heartbeatIntervalSeconds: 3600 });
    const rule = await mapping(seed, { repository: 'acme/build-tools', maxConcurrent: 5 });
    const markers = async () => (await h.services.database.db.select().from(ciSeats).where(eq(ciSeats.mappingId, rule.id))).map((r) => r.sessionId);
    const old = expectStatus(await acquireAsJob(seed, tokenFor({ run_id: 'old' })), 200);
    const running = expectStatus(await acquireAsJob(seed, tokenFor({ run_id: 'running' })), 200);
    expectStatus(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/licenses/release',
        headers: { 'content-type': 'application/json', 'leasehold-session-secret': old.sessionSecret },
        payload: JSON.stringify({ sessionId: old.sessionId }),
      }),
      200,
    );
    expect(await markers()).toHaveLength(2);
    // Two days on, with the running job still renewing its lease.
    for (let i = 0; i < 4; i++) {
      h.clock.advance(43_200);
      expectStatus(
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/licenses/heartbeat',
          headers: { 'content-type': 'application/json', 'leasehold-session-secret': running.sessionSecret },
          payload: JSON.stringify({ sessionId: running.sessionId }),
        }),
        200,
      );
    }
    const next = expectStatus(await acquireAsJob(seed, tokenFor({ run_id: 'next' })), 200);
    expect((await markers()).sort()).toEqual([running.sessionId, next.sessionId].sort());
    expect(next.ci.poolUsed).toBe(2);
  });

  it('lets concurrent jobs race for the last place of a pool without going over it', async () => {
    const seed = await seedLicense(h, { seats: 20, seatBasis: 'machine' });
    await mapping(seed, { repository: 'acme/build-tools', maxConcurrent: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => acquireAsJob(seed, tokenFor({ run_id: `race-${i}` }))));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(7);
  });

  it('maps untrusted refs to an advisory rule: over its pool the job is granted, warned and logged, never refused', async () => {
    const seed = await seedLicense(h, { seats: 5, seatBasis: 'machine' });
    const trusted = await mapping(seed, { repository: 'acme/build-tools', ref: 'refs/heads/main', maxConcurrent: 5 });
    const forks = await mapping(seed, { repository: 'acme/*', mode: 'advisory', maxConcurrent: 1 });
    const pr = (run: string) => tokenFor({ ref: 'refs/pull/17/merge', run_id: run, event_name: 'pull_request' });
    const one = expectStatus(await acquireAsJob(seed, pr('31')), 200);
    expect(one.ci).toMatchObject({ mappingId: forks.id, mode: 'advisory', warning: null });
    const two = expectStatus(await acquireAsJob(seed, pr('32')), 200);
    expect(two.ci).toMatchObject({ mappingId: forks.id, mode: 'advisory', poolUsed: 2, poolMax: 1 });
    expect(two.ci.warning).toMatch(/Advisory: 2 CI jobs .* over its pool of 1\. Logged, not refused\./);
    const logged = expectStatus(await h.admin('GET', `/audit?action=ci.pool-exceeded&targetId=${two.sessionId}`), 200).data;
    expect(logged).toHaveLength(1);
    expect(logged[0].data.claims).toMatchObject({ ref: 'refs/pull/17/merge', event_name: 'pull_request' });
    // The more specific rule still wins for the main branch.
    expect(expectStatus(await acquireAsJob(seed, tokenFor({ run_id: '33' })), 200).ci.mappingId).toBe(trusted.id);
  });

  it("lets an organisation's owners map their own licenses, and nobody else's", async () => {
    const owner = await newUser(h, 'Owner');
    const orgId = await personalOrg(h, owner);
    const own = expectStatus(await h.admin('POST', '/licenses', { organisationId: orgId, planId: (await seedLicense(h, { seats: 2 })).planId }), 201);
    const stranger = await seedLicense(h, { seats: 2 });
    const created = expectStatus(
      await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/ci-mappings`, { licenseId: own.id, issuer: issuer.issuer, repository: 'owner/app' }),
      201,
    );
    expect(created).toMatchObject({ organisationId: orgId, licenseId: own.id, repository: 'owner/app' });
    const foreign = await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/ci-mappings`, {
      licenseId: stranger.licenseId,
      repository: 'owner/app',
      issuer: issuer.issuer,
    });
    expect(foreign.statusCode).toBe(404);
    const untrustedIssuer = await asUser(h, owner, 'POST', `/api/v1/orgs/${orgId}/ci-mappings`, {
      licenseId: own.id,
      repository: 'x/y',
      issuer: 'https://ci.example',
    });
    expect(untrustedIssuer.statusCode).toBe(400);
    expect(expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${orgId}/ci-mappings`), 200).data).toHaveLength(1);
    const outsider = await newUser(h, 'Outsider');
    expect((await asUser(h, outsider, 'GET', `/api/v1/orgs/${orgId}/ci-mappings`)).statusCode).toBe(404);
    expectStatus(await asUser(h, owner, 'DELETE', `/api/v1/orgs/${orgId}/ci-mappings/${created.id}`), 200);
    expect(expectStatus(await h.admin('GET', `/ci-mappings?licenseId=${own.id}`), 200).data).toHaveLength(0);
  });
});
