import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCluster, startServerCluster } from '../support/server-cluster.js';
import type { ServerProcess } from '../support/server-process.js';

const ADMIN = 'lh_three-process-admin-key-000000000000';

/** Three server processes on one PostgreSQL database: one seat count, one audit chain, one admin key. */
describe('three server processes sharing one PostgreSQL', () => {
  let cluster: ServerCluster;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    cluster = await startServerCluster(3, {
      LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN,
      LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
      LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
    });
    servers = cluster.servers;
  }, 90_000);

  afterAll(async () => {
    expect(await cluster.stop()).toEqual([0, 0, 0]);
  });

  // Like the SDK, a 503 (overload) is retried after Retry-After; any other answer is final.
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  const post = async (base: string, path: string, body: unknown, admin = false): Promise<{ status: number; body: any }> => {
    for (;;) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN}` } : {}) },
        body: JSON.stringify(body),
      });
      if (response.status !== 503) return { status: response.status, body: await response.json() };
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
    }
  };

  it('grants exactly 10 of 500 concurrent acquires spread over the three', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const product = (await post(a, '/api/v1/admin/products', { code: 'coditect', name: 'CODITECT' }, true)).body;
    const plan = (await post(b, '/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'Team', seats: 10 }, true)).body;
    const org = (await post(c, '/api/v1/admin/organisations', { name: 'Acme' }, true)).body;
    const license = await post(a, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true);
    expect(license.status).toBe(201);

    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        post([a, b, c][i % 3] as string, '/api/v1/licenses/acquire', {
          product: 'coditect',
          licenseKey: license.body.key,
          fingerprint: `machine-${String(i).padStart(4, '0')}`,
        }),
      ),
    );
    const statuses = answers.map((x) => x.status);
    const unexpected = answers.filter((x) => x.status !== 200 && x.status !== 409);
    expect(unexpected.map((x) => x.body)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(490);

    // Every replica sees the same count, and tokens from one verify with the keys the others publish.
    for (const base of [a, b, c]) {
      const read = await fetch(`${base}/api/v1/admin/licenses/${license.body.id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect((await read.json()).seatsInUse).toBe(10);
    }
    const granted = answers.find((x) => x.status === 200)?.body;
    const check = await post(c, '/api/v1/licenses/validate', { leaseToken: granted.leaseToken });
    expect(check.body.valid).toBe(true);
    const verify = await fetch(`${b}/api/v1/admin/audit/verify`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await verify.json()).toMatchObject({ ok: true });
    // Exactly one bootstrap key, though three processes started on an empty database.
    const keys = await fetch(`${a}/api/v1/admin/api-keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect((await keys.json()).data).toHaveLength(1);
  }, 60_000);
});
