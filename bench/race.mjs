// The zero-over-allocation figure of the specification: many acquirers racing for
// 10 seats, trial after trial, on the embedded store, on PostgreSQL, with three server
// processes sharing one Redis, and with three sharing a Redis Cluster of three primaries. Run alone with `node bench/race.mjs` (after
// `npm run build`), or as part of `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startNode, startRedis, startRedisCluster } from './processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(root, 'apps/server/dist/main.js');
const ADMIN = 'lh_bench-admin-key-000000000000000000000';
const SEATS = 10;
const log = (...args) => console.error('[race]', ...args);

const env = (extra) => ({
  LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN,
  LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
  LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
  LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: '0',
  DATABASE_POOL_SIZE: '20',
  ...extra,
});

// Every acquirer gets its own connection, so the race happens in the servers, not in a client queue.
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

function send(base, path, body, admin) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      `${base}${path}`,
      {
        method: payload === undefined ? 'GET' : 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN}` } : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, retryAfter: response.headers['retry-after'], body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function call(base, path, body, admin = false) {
  for (;;) {
    const answer = await send(base, path, body, admin);
    // Overload answers 503 with Retry-After, which the SDK retries; so does the benchmark.
    if (answer.status !== 503) return answer;
    await new Promise((r) => setTimeout(r, Number(answer.retryAfter ?? 1) * 1000));
  }
}

async function seedProduct(base, code) {
  const product = (await call(base, '/api/v1/admin/products', { code, name: code }, true)).body;
  const plan = (await call(base, '/api/v1/admin/plans', { productId: product.id, code: 'race', name: 'Race', seats: SEATS, seatBasis: 'machine' }, true)).body;
  const org = (await call(base, '/api/v1/admin/organisations', { name: 'Race Ltd' }, true)).body;
  return { code, planId: plan.id, orgId: org.id };
}

/** Runs `trials` races of `racers` acquirers on fresh licenses, spreading them over `bases`. */
export async function race(label, bases, trials, racers) {
  const product = await seedProduct(bases[0], `race-${Date.now().toString(36)}`);
  const granted = [];
  const durations = [];
  let unexpected = 0;
  for (let trial = 0; trial < trials; trial++) {
    const license = (await call(bases[0], '/api/v1/admin/licenses', { organisationId: product.orgId, planId: product.planId }, true)).body;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: racers }, (_, i) =>
        call(bases[i % bases.length], '/api/v1/licenses/acquire', {
          product: product.code,
          licenseKey: license.key,
          fingerprint: `racer-${trial}-${i}-machine`,
        }),
      ),
    );
    durations.push(performance.now() - started);
    const wins = answers.filter((a) => a.status === 200).length;
    unexpected += answers.filter((a) => a.status !== 200 && a.status !== 409).length;
    const held = (await call(bases[trial % bases.length], `/api/v1/admin/licenses/${license.id}`, undefined, true)).body.seatsInUse;
    granted.push(Math.max(wins, held));
  }
  durations.sort((a, b) => a - b);
  const result = {
    label,
    trials,
    racers,
    seats: SEATS,
    minGranted: Math.min(...granted),
    maxGranted: Math.max(...granted),
    overAllocated: granted.filter((g) => g > SEATS).length,
    unexpectedAnswers: unexpected,
    medianTrialMs: Math.round(durations[Math.floor(durations.length / 2)]),
  };
  log(result);
  return result;
}

/** The three setups of the specification, each on its own processes. */
/**
 * `embeddedTrials`: the embedded store decides every acquire of a trial in one process on
 * PGlite, several seconds a trial at 1,000 acquirers; fewer trials keep the full run short.
 */
export async function runRaces({ trials, embeddedTrials = trials, racers, postgresUrl }) {
  const scratch = mkdtempSync(join(os.tmpdir(), 'leasehold-race-'));
  const stops = [];
  const results = [];
  try {
    log(`embedded store: ${embeddedTrials} trials of ${racers} acquirers for ${SEATS} seats`);
    const embedded = await startNode([SERVER, 'serve'], env({ LEASEHOLD_DATA_DIR: join(scratch, 'embedded') }), 'embedded');
    stops.push(embedded.stop);
    results.push(await race('Embedded (PGlite), 1 process', [embedded.url], embeddedTrials, racers));
    await embedded.stop();

    const database = await createDatabase(postgresUrl);
    stops.push(database.drop);
    log('PostgreSQL store, 3 processes');
    const sql = await Promise.all(
      [0, 1, 2].map((i) => startNode([SERVER, 'serve'], env({ DATABASE_URL: database.url, LEASEHOLD_DATA_DIR: join(scratch, 'sql') }), `sql ${i}`)),
    );
    for (const s of sql) stops.push(s.stop);
    results.push(
      await race(
        'PostgreSQL, 3 processes',
        sql.map((s) => s.url),
        trials,
        racers,
      ),
    );
    for (const s of sql) await s.stop();

    const redis = await startRedis();
    stops.push(redis.stop);
    const redisDb = await createDatabase(postgresUrl);
    stops.push(redisDb.drop);
    log('Redis store, 3 processes sharing one Redis and one PostgreSQL');
    const servers = await Promise.all(
      [0, 1, 2].map((i) =>
        startNode([SERVER, 'serve'], env({ DATABASE_URL: redisDb.url, REDIS_URL: redis.url, LEASEHOLD_DATA_DIR: join(scratch, 'redis') }), `redis ${i}`),
      ),
    );
    for (const s of servers) stops.push(s.stop);
    results.push(
      await race(
        'Redis + PostgreSQL, 3 processes',
        servers.map((s) => s.url),
        trials,
        racers,
      ),
    );
    for (const s of servers) await s.stop();

    const cluster = await startRedisCluster(3);
    stops.push(cluster.stop);
    const clusterDb = await createDatabase(postgresUrl);
    stops.push(clusterDb.drop);
    log('Redis Cluster of 3 primaries, 3 processes');
    const onCluster = await Promise.all(
      [0, 1, 2].map((i) =>
        startNode(
          [SERVER, 'serve'],
          env({ DATABASE_URL: clusterDb.url, REDIS_URL: cluster.url, LEASEHOLD_REDIS_CLUSTER: 'true', LEASEHOLD_DATA_DIR: join(scratch, 'cluster') }),
          `cluster ${i}`,
        ),
      ),
    );
    for (const s of onCluster) stops.push(s.stop);
    results.push(
      await race(
        'Redis Cluster (3 primaries) + PostgreSQL, 3 processes',
        onCluster.map((s) => s.url),
        trials,
        racers,
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
    agent.destroy();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runRaces({
    trials: Number(process.env.BENCH_RACE_TRIALS ?? 100),
    embeddedTrials: Number(process.env.BENCH_EMBEDDED_RACE_TRIALS ?? 20),
    racers: Number(process.env.BENCH_RACE_ACQUIRERS ?? 1000),
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  console.log(JSON.stringify(results, null, 2));
  if (results.some((r) => r.overAllocated > 0)) process.exitCode = 1;
}
