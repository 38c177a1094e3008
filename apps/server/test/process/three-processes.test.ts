import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClient, raceForTenSeats, type ServerCluster, startServerCluster } from '../support/server-cluster.js';
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

  const { post, get } = clusterClient(ADMIN);

  it('grants exactly 10 of 500 concurrent acquires spread over the three', async () => {
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const { license, answers } = await raceForTenSeats({ post, get }, [a, b, c]);
    const statuses = answers.map((x) => x.status);
    const unexpected = answers.filter((x) => x.status !== 200 && x.status !== 409);
    expect(unexpected.map((x) => x.body)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(490);

    // Every replica sees the same count, and tokens from one verify with the keys the others publish.
    for (const base of [a, b, c]) expect((await get(base, `/api/v1/admin/licenses/${license.id}`)).seatsInUse).toBe(10);
    const granted = answers.find((x) => x.status === 200)?.body;
    const check = await post(c, '/api/v1/licenses/validate', { leaseToken: granted.leaseToken });
    expect(check.body.valid).toBe(true);
    expect(await get(b, '/api/v1/admin/audit/verify')).toMatchObject({ ok: true });
    // Exactly one bootstrap key, though three processes started on an empty database.
    expect((await get(a, '/api/v1/admin/api-keys')).data).toHaveLength(1);
  }, 60_000);
});
