import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';

const ADMIN_KEY = 'lh_drain-admin-key-0123456789abcdefghijkl';

type Outcome = { sentAt: number; status?: number; error?: string; body?: string };

/** One request on a connection of its own; `sentAt` is when the whole request was handed to the socket. */
function post(base: string, path: string, body: unknown, admin = false): Promise<Outcome> {
  const url = new URL(path, base);
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    let sentAt = Number.POSITIVE_INFINITY;
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ sentAt, status: res.statusCode ?? 0, body: text }));
        res.on('error', (error) => resolve({ sentAt, error: (error as NodeJS.ErrnoException).code ?? String(error) }));
      },
    );
    req.on('finish', () => {
      sentAt = performance.now();
    });
    req.on('error', (error) => resolve({ sentAt, error: (error as NodeJS.ErrnoException).code ?? String(error) }));
    req.end(payload);
  });
}

/**
 * SIGTERM to the embedded server under load: the in-process database keeps the event
 * loop busy, so requests wait in the accept queue or unread on their connection. Every
 * request that reached the socket before the signal is answered (none is reset), and
 * every acquire it acknowledged is there after a restart.
 */
describe('embedded server: SIGTERM under load', () => {
  let dataDir: string;
  let server: ServerProcess | null = null;
  const env = () => ({
    LEASEHOLD_DATA_DIR: dataDir,
    LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '1000000',
    LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '1000000',
  });
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'leasehold-drain-'));
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request that reached the socket before SIGTERM, and keeps what it acknowledged', async () => {
    server = await startServerProcess(env());
    const base = server.url;
    const json = (o: Outcome) => JSON.parse(o.body ?? '{}');
    const product = json(await post(base, '/api/v1/admin/products', { code: 'coditect', name: 'CODITECT' }, true));
    const plan = json(await post(base, '/api/v1/admin/plans', { productId: product.id, code: 'team', name: 'Team', seats: 10_000 }, true));
    const org = json(await post(base, '/api/v1/admin/organisations', { name: 'Acme' }, true));
    const license = json(await post(base, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id }, true));

    const outcomes: (Outcome & { fingerprint: string })[] = [];
    let stopped = false;
    let n = 0;
    const worker = async () => {
      while (!stopped) {
        n += 1;
        const fingerprint = `machine-drain-${String(n).padStart(5, '0')}`;
        const outcome = await post(base, '/api/v1/licenses/acquire', { product: 'coditect', licenseKey: license.key, fingerprint });
        outcomes.push({ ...outcome, fingerprint });
        if (outcome.error === 'ECONNREFUSED') return;
      }
    };
    const exited = new Promise<number | null>((resolve) => server?.child.once('exit', (code) => resolve(code)));
    const load = Promise.all(Array.from({ length: 16 }, () => worker()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    const code = await exited;
    stopped = true;
    await load;

    expect(code).toBe(0);
    const beforeSignal = outcomes.filter((o) => o.sentAt < signalledAt);
    expect(beforeSignal.length).toBeGreaterThan(20);
    const unanswered = beforeSignal.filter((o) => o.status !== 200);
    expect(unanswered.map((o) => `${o.fingerprint}: ${o.error ?? `${o.status} ${o.body}`}`)).toEqual([]);

    // Restarted, the server has every session it acknowledged.
    server = await startServerProcess(env());
    const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => json(o).sessionId as string);
    const sessions = await fetch(`${server.url}/api/v1/admin/sessions?limit=500&licenseId=${license.id}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const live = new Set<string>();
    let page = await sessions.json();
    for (;;) {
      for (const s of page.data) live.add(s.id);
      if (!page.nextCursor) break;
      page = await (
        await fetch(`${server.url}/api/v1/admin/sessions?limit=500&licenseId=${license.id}&cursor=${page.nextCursor}`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
      ).json();
    }
    expect(acknowledged.filter((id) => !live.has(id))).toEqual([]);
    expect(await server.stop()).toBe(0);
    server = null;
  }, 180_000);
});
