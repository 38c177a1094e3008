import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { ThrowawayRedis } from '../redis/redis-support.js';
import { createPostgresDatabase } from '../support/databases.js';
import { ADMIN_KEY } from '../support/harness.js';
import { SERVER_MAIN, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { BeliefChecker } from './belief-checker.js';
import { ThrowawayPostgres } from './throwaway-postgres.js';

// Preloaded into every replica: signing fails while the fault file exists.
const FAILING_SIGNER = ['--import', fileURLToPath(new URL('./failing-signer.mjs', import.meta.url))];

/** A small seeded generator (mulberry32): the same seed gives the same schedule. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScheduleResult {
  seed: number;
  faults: string[];
  grants: number;
  peakHolders: number;
  seats: number;
  answers: Record<string, number>;
  /** Acknowledged grants without their session row or seat.granted event in PostgreSQL. */
  unrecorded: string[];
  auditIntact: boolean;
  reconcilerAfter: string;
}

type Creds = { sessionId: string; sessionSecret: string; expiresAt: string };

/**
 * Three replicas (real processes) on one PostgreSQL and a throwaway Redis, a few dozen
 * clients acquiring, heartbeating and releasing like the SDK (a 503 or a dead replica
 * is retried elsewhere with the same idempotency key), while a seeded schedule injects
 * faults: FLUSHALL, Redis stopped and started empty, CLIENT PAUSE past the command
 * timeout, kill -9 of a replica (started again), a signer failing on every replica for
 * a while and, with `restartPostgres`, an immediate PostgreSQL shutdown and start.
 * Every client's belief is recorded, and every answer's status counted.
 */
export async function runFaultSchedule(o: {
  seed: number;
  seconds: number;
  clients: number;
  seats: number;
  restartPostgres?: boolean;
}): Promise<ScheduleResult> {
  // The faults draw from their own generator, so a seed always gives the same sequence of
  // faults and pauses; each client has its own, so their traffic does not shift it.
  const random = seeded(o.seed);
  const clientRandoms = Array.from({ length: o.clients }, (_, c) => seeded(o.seed * 7919 + c + 1));
  const redis = await ThrowawayRedis.start();
  // PostgreSQL restarts need a cluster of their own (initdb takes seconds: the bench's longer runs only).
  const ownPostgres = o.restartPostgres ? await ThrowawayPostgres.start() : null;
  const database = ownPostgres ? { url: ownPostgres.url, drop: () => ownPostgres.destroy() } : await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-faults-'));
  const signerFault = join(dataDir, 'signer-down');
  const env = {
    FAULT_SIGNER_FILE: signerFault,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    LEASEHOLD_REDIS_KEY_PREFIX: 'faults:',
    LEASEHOLD_DATA_DIR: dataDir,
    LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    LEASEHOLD_REAPER_INTERVAL_SECONDS: '1',
    LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '1000000',
    LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '1000000',
  };
  const startReplica = () => startServerProcess(env, [], FAILING_SIGNER);
  const servers: (ServerProcess | null)[] = [await startReplica()];
  servers.push(...(await Promise.all([startReplica(), startReplica()])));
  const faults: string[] = [];
  const answers: Record<string, number> = {};
  const acknowledged: string[] = [];
  const beliefs = new BeliefChecker();
  const timeline = new Map<string, string[]>();
  const t0 = Date.now();
  const note = (name: string, what: string) => timeline.set(name, [...(timeline.get(name) ?? []), `${Date.now() - t0}ms ${what}`]);
  const count = (what: string) => {
    answers[what] = (answers[what] ?? 0) + 1;
  };
  const pick = (r: () => number) => {
    const alive = servers.filter((s): s is ServerProcess => s !== null);
    return alive[Math.floor(r() * alive.length)] ?? (servers[0] as ServerProcess);
  };
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely.
  const post = async (path: string, body: unknown, admin = false, r: () => number = Math.random): Promise<{ status: number; body: any }> => {
    const server = pick(r);
    try {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status, body: await response.json() };
    } catch {
      return { status: 0, body: {} };
    }
  };
  const adminPost = async (path: string, body: unknown) => {
    for (;;) {
      const a = await post(path, body, true);
      if (a.status === 201) return a.body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  try {
    const product = await adminPost('/api/v1/admin/products', { code: 'faults', name: 'Faults' });
    const plan = await adminPost('/api/v1/admin/plans', {
      productId: product.id,
      code: 'team',
      name: 'Team',
      seats: o.seats,
      leaseTtlSeconds: 6,
      heartbeatIntervalSeconds: 1,
    });
    const org = await adminPost('/api/v1/admin/organisations', { name: 'Faulty' });
    const license = await adminPost('/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id });
    const until = Date.now() + o.seconds * 1000;

    const client = async (c: number) => {
      const random = clientRandoms[c] as () => number;
      const name = `machine-${String(c).padStart(3, '0')}`;
      let held: Creds | null = null;
      let attempt = 0;
      let idem = `${name}-start-${attempt}`;
      while (Date.now() < until) {
        if (!held) {
          const a = await post(
            '/api/v1/licenses/acquire',
            { product: 'faults', licenseKey: license.key, fingerprint: name, idempotencyKey: idem },
            false,
            random,
          );
          count(`acquire ${a.status}${a.body.dependency ? ` ${a.body.dependency}` : ''}`);
          note(name, `acquire ${a.status} ${a.body.sessionId ?? a.body.code ?? ''} ${a.body.expiresAt ? Date.parse(a.body.expiresAt) - t0 : ''}`);
          if (a.status === 200) {
            held = a.body as Creds;
            acknowledged.push(held.sessionId);
            beliefs.granted(name, Date.now(), Date.parse(held.expiresAt));
          }
          // Like the SDK: the same key until an answer says granted or refused.
          if (a.status === 200 || a.status === 409) idem = `${name}-start-${++attempt}`;
        } else {
          const b = await post('/api/v1/licenses/heartbeat', { sessionId: held.sessionId, sessionSecret: held.sessionSecret }, false, random);
          count(`heartbeat ${b.status}${b.body.dependency ? ` ${b.body.dependency}` : ''}`);
          note(
            name,
            `heartbeat ${b.status} ${b.body.code ?? ''} ${b.body.expiresAt ? Date.parse(b.body.expiresAt) - t0 : ''} ${b.body.reacquired ? 'reacquired' : ''}`,
          );
          if (b.status === 200) {
            held.expiresAt = b.body.expiresAt;
            beliefs.renewed(name, Date.now(), Date.parse(b.body.expiresAt));
          } else if (b.status === 409 || b.status === 404) held = null;
          else if (Date.now() >= Date.parse(held.expiresAt)) held = null;
          if (held && random() < 0.1) {
            beliefs.released(name, Date.now());
            note(name, 'release');
            const r = await post('/api/v1/licenses/release', { sessionId: held.sessionId, sessionSecret: held.sessionSecret }, false, random);
            count(`release ${r.status}`);
            held = null;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 700));
      }
    };

    const restarts: Promise<void>[] = [];
    const injector = async () => {
      while (Date.now() < until - 1_500) {
        await new Promise((resolve) => setTimeout(resolve, 500 + random() * 1_000));
        const kind = Math.floor(random() * (ownPostgres ? 6 : 5));
        const at = Date.now() - t0;
        if (kind === 0) {
          faults.push(`flushall at ${at}ms`);
          await redis.command((r) => r.flushall()).catch(() => {});
        } else if (kind === 1) {
          const down = Math.round(500 + random() * 2_000);
          faults.push(`redis down ${down} ms at ${at}ms`);
          await redis.stop();
          await new Promise((resolve) => setTimeout(resolve, down));
          await redis.start();
        } else if (kind === 2) {
          faults.push(`client pause 2500 ms at ${at}ms`);
          await redis.command((r) => r.call('CLIENT', 'PAUSE', '2500', 'ALL')).catch(() => {});
        } else if (kind === 4) {
          const down = Math.round(500 + random() * 2_000);
          faults.push(`signer failing ${down} ms at ${at}ms`);
          writeFileSync(signerFault, '');
          await new Promise((resolve) => setTimeout(resolve, down));
          rmSync(signerFault, { force: true });
        } else if (kind === 5 && ownPostgres) {
          const down = Math.round(300 + random() * 1_200);
          faults.push(`postgres restart, down ${down} ms at ${at}ms`);
          await ownPostgres.stop();
          await new Promise((resolve) => setTimeout(resolve, down));
          await ownPostgres.start();
        } else {
          const i = Math.floor(random() * servers.length);
          const victim = servers[i];
          if (!victim) continue;
          faults.push(`kill -9 replica ${i} at ${at}ms`);
          servers[i] = null;
          await victim.stop('SIGKILL');
          // Started again in the background; the clients use the other two meanwhile.
          restarts.push(
            (async () => {
              // A replica cannot start while PostgreSQL is down: try again, as Kubernetes would.
              for (let tries = 0; tries < 20 && !servers[i]; tries++) {
                servers[i] = await startReplica().catch(async () => {
                  await new Promise((resolve) => setTimeout(resolve, 500));
                  return null;
                });
              }
            })(),
          );
        }
      }
    };

    await Promise.all([injector(), ...Array.from({ length: o.clients }, (_, c) => client(c))]);
    await Promise.all(restarts);

    const peak = beliefs.peak();
    if (peak.holders > o.seats) {
      console.log(`over-allocated at ${peak.at - t0}ms:`);
      for (const who of peak.who) console.log(who, (timeline.get(who) ?? []).join(' | '));
    }
    const unexpected = servers.flatMap((srv) => (srv?.output() ?? '').split('\n').filter((l) => l.includes('unexpected error')));
    if (unexpected.length > 0) console.log('unexpected errors:', unexpected.slice(0, 3).join('\n'));
    // Checks: every acknowledged grant recorded with its event, the chain intact, and one reconciler pass agreeing.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const rows = await db.query<{ id: string }>('select id from sessions where id = any($1)', [acknowledged]);
    const events = await db.query<{ target_id: string }>("select target_id from audit_events where action = 'seat.granted' and target_id = any($1)", [
      acknowledged,
    ]);
    await db.end();
    const haveRow = new Set(rows.rows.map((r) => r.id));
    const haveEvent = new Set(events.rows.map((r) => r.target_id));
    const unrecorded = acknowledged.filter((id) => !haveRow.has(id) || !haveEvent.has(id));
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [SERVER_MAIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } }).then(
        (r) => ({ ok: true, out: r.stdout }),
        (e: { stdout?: string }) => ({ ok: false, out: e.stdout ?? '' }),
      );
    const audit = await run(['audit', 'verify']);
    await run(['seats', 'reconcile']);
    const after = await run(['seats', 'reconcile']);
    return {
      seed: o.seed,
      faults,
      grants: acknowledged.length,
      peakHolders: beliefs.peak().holders,
      seats: o.seats,
      answers,
      unrecorded,
      auditIntact: audit.ok,
      reconcilerAfter: after.out.trim(),
    };
  } finally {
    await Promise.all(servers.map((s) => s?.stop('SIGKILL')));
    await redis.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
