// `npm run bench`: starts PostgreSQL-backed and embedded lease servers, Redis and a bare
// Fastify route as real processes, drives them on loopback from load generators in processes of their
// own (closed loop: bench/closed-loop.mjs; fixed rate: bench/open-loop.mjs) and writes BENCHMARKS.md.
// Sizes come from the environment (the table at the end of BENCHMARKS.md).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, startNode, startRedis, startRedisCluster } from './processes.mjs';
import { summariseProfile } from './profile.mjs';
import { runRaces } from './race.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const num = (name, fallback) => Number(process.env[name] ?? fallback);
const SIZE = {
  sessions: num('BENCH_SESSIONS', 100_000),
  duration: num('BENCH_DURATION_SECONDS', 10),
  latencyDuration: num('BENCH_LATENCY_SECONDS', 20),
  latencyWarmup: num('BENCH_LATENCY_WARMUP_SECONDS', 2),
  connections: num('BENCH_CONNECTIONS', 64),
  heartbeatIntervalSeconds: num('BENCH_HEARTBEAT_INTERVAL_SECONDS', 60),
  acquireRate: num('BENCH_ACQUIRE_RATE', 500),
  embeddedSessions: num('BENCH_EMBEDDED_ACQUIRES', 3_000),
  warmupAcquires: num('BENCH_WARMUP_ACQUIRES', 1_000),
  profileSeconds: num('BENCH_PROFILE_SECONDS', 8),
  raceTrials: num('BENCH_RACE_TRIALS', 100),
  embeddedRaceTrials: num('BENCH_EMBEDDED_RACE_TRIALS', 20),
  raceAcquirers: num('BENCH_RACE_ACQUIRERS', 1000),
  shardSessions: num('BENCH_SHARD_SESSIONS', 6_000),
  millionSessions: num('BENCH_MILLION_SESSIONS', 1_000_000),
};
/** The million sessions' licenses: each license's sessions load from PostgreSQL in one rebuild. */
const MILLION_LICENSES = 100;
/** CODITECT's heartbeat interval (a heartbeat every 2 minutes): the million sessions' load. */
const MILLION_HEARTBEAT_INTERVAL_SECONDS = 120;
/** How long the million sessions' heartbeats are sent at their rate. */
const MILLION_LOAD_SECONDS = 5;
/** Licenses the shard comparison spreads its sessions over: each license's keys live on one shard. */
const SHARD_LICENSES = 12;
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? process.env.LEASEHOLD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN = 'lh_bench-admin-key-000000000000000000000';
const SERVER = join(root, 'apps/server/dist/main.js');
const BENCH_STARTED = Date.now();
/** Each line says how far into the run it came, so a slow part shows. */
const log = (...args) => console.error(`[bench +${Math.round((Date.now() - BENCH_STARTED) / 1000)} s]`, ...args);
const SCRATCH = mkdtempSync(join(os.tmpdir(), 'leasehold-bench-'));

const serverEnv = (extra) => ({
  LEASEHOLD_BOOTSTRAP_ADMIN_KEY: ADMIN,
  LEASEHOLD_RATE_LIMIT_IP_PER_MINUTE: '0',
  LEASEHOLD_RATE_LIMIT_LICENSE_PER_MINUTE: '0',
  LEASEHOLD_RATE_LIMIT_API_KEY_PER_MINUTE: '0',
  LEASEHOLD_PUBLIC_URL: 'https://licenses.bench.example',
  DATABASE_POOL_SIZE: '20',
  ...extra,
});

/**
 * One fixed-rate run of bench/open-loop.mjs in its own process, so that neither this process's event
 * loop nor its heap (every session's credentials) delays the requests. `config` adds url, path, rate
 * and the bodies to the defaults here.
 */
async function openLoop(scratch, name, config) {
  const file = join(scratch, `open-loop-${name}.json`);
  const defaults = { method: 'POST', durationSeconds: SIZE.latencyDuration, warmupSeconds: SIZE.latencyWarmup, connections: SIZE.connections };
  writeFileSync(file, JSON.stringify({ ...defaults, ...config }));
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bench/open-loop.mjs'), file], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  return {
    rate: r.rate,
    rps: r.achievedRps,
    total: r.completed,
    ok: r.ok2xx,
    non2xx: r.non2xx,
    errors: r.errors,
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    p999: r.p999,
    max: r.max,
    sent: r.sent,
    lateSends: r.lateSends,
    maxSendLag: r.maxSendLag,
    maxBacklog: r.maxBacklog,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** Runs `run` and adds the CPU the server process spent per successful answer, in µs. */
async function withCpu(pid, run) {
  const before = cpuSeconds(pid);
  const result = await run();
  return { ...result, cpuMicrosPerRequest: ((cpuSeconds(pid) - before) * 1e6) / result.ok };
}

/** Runs `load` against a fresh lease server under `node --cpu-prof` and summarises the profile. */
async function profileRun(env, dir, load) {
  mkdirSync(dir);
  const server = await startNode(
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, SERVER, 'serve'],
    { ...env, LEASEHOLD_DATA_DIR: join(dir, 'data') },
    'profiled server',
  );
  await load(server.url);
  await server.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  return file ? summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), root) : null;
}

async function post(base, path, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function seed(base, seats, code = 'bench') {
  const product = await post(base, '/api/v1/admin/products', { code, name: 'Bench' });
  const plan = await post(base, '/api/v1/admin/plans', {
    productId: product.id,
    code,
    name: 'Bench',
    seats,
    seatBasis: 'session',
    leaseTtlSeconds: 360,
    heartbeatIntervalSeconds: SIZE.heartbeatIntervalSeconds,
  });
  const org = await post(base, '/api/v1/admin/organisations', { name: `Bench Ltd ${code}` });
  const license = await post(base, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id });
  return { key: license.key, id: license.id, product: code };
}

async function serverMemory(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

let runs = 0;

/**
 * One closed-loop run of bench/closed-loop.mjs in its own process (see there for `config`), so the
 * generator's work lands on no server's figures and weighs the same on every route.
 */
async function closedLoop(config) {
  const file = join(SCRATCH, `closed-loop-${++runs}.json`);
  writeFileSync(file, JSON.stringify({ connections: SIZE.connections, ...config }));
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bench/closed-loop.mjs'), file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/**
 * Acquires `amount` seats as fast as the server takes them. The sessions' {sessionId, sessionSecret}
 * are written to a JSON-lines file: the heartbeat runs' bodies.
 */
async function acquireMany(base, license, amount) {
  const sessionsFile = join(SCRATCH, `sessions-${++runs}.jsonl`);
  const tag = `${runs}-{n}`;
  const r = await closedLoop({
    url: base,
    path: '/api/v1/licenses/acquire',
    amount,
    body: JSON.stringify({ product: license.product ?? 'bench', licenseKey: license.key, fingerprint: `bench-machine-${tag}`, hostname: `host-${tag}` }),
    keepFile: sessionsFile,
  });
  // Requests/s here is sessions created per second of wall time.
  return { summary: { ...r, rps: r.kept / r.wallSeconds }, sessions: r.kept, sessionsFile };
}

/** A JSON-lines file of the first `count` lines of `file`. */
function firstLines(file, count) {
  const out = `${file}.first-${count}`;
  writeFileSync(out, `${readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, count).join('\n')}\n`);
  return out;
}

/** Heartbeats cycling over the sessions of `sessionsFile`, each body as its acquire answered it. */
function heartbeats(base, sessionsFile, durationSeconds) {
  return closedLoop({ url: base, path: '/api/v1/licenses/heartbeat', bodiesFile: sessionsFile, durationSeconds });
}

/**
 * Heartbeat throughput on a Redis Cluster of `masters` primaries: one server, sessions of
 * SHARD_LICENSES licenses (so they spread over the shards), a database of its own.
 */
async function heartbeatOnShards(masters) {
  const cluster = await startRedisCluster(masters);
  const database = await createDatabase(POSTGRES);
  const server = await startNode(
    [SERVER, 'serve'],
    serverEnv({ DATABASE_URL: database.url, REDIS_URL: cluster.url, LEASEHOLD_REDIS_CLUSTER: 'true', LEASEHOLD_DATA_DIR: join(SCRATCH, `shards-${masters}`) }),
    `lease server on ${masters} shard(s)`,
  );
  try {
    const perLicense = Math.ceil(SIZE.shardSessions / SHARD_LICENSES);
    const files = [];
    for (let i = 0; i < SHARD_LICENSES; i++) {
      const license = await seed(server.url, perLicense, `bench-${i}`);
      files.push((await acquireMany(server.url, license, perLicense)).sessionsFile);
    }
    // Interleaved, so consecutive heartbeats go to different licenses (and shards).
    const lines = files.map((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    const mixed = join(SCRATCH, `shards-${masters}.jsonl`);
    writeFileSync(mixed, `${lines[0].flatMap((_, k) => lines.map((l) => l[k]).filter(Boolean)).join('\n')}\n`);
    return { masters, ...(await withCpu(server.pid, async () => heartbeats(server.url, mixed, SIZE.duration))) };
  } finally {
    await server.stop();
    await cluster.stop();
    await database.drop().catch(() => {});
  }
}

/**
 * A million live sessions on one Redis. Acquiring them over HTTP would take most of an
 * hour here, so they are written to PostgreSQL in bulk (as a server that lost Redis has
 * them) and Redis loads them through the store's own rebuild, one license at a time, at
 * the first heartbeat of each license. They hold no lease token yet: each signs one at its
 * first heartbeat. Their rows are what session-basis acquires write (basis key `s:<session>`).
 * Then: Redis memory per session, and heartbeats at their load.
 */
async function millionSessions() {
  const redis = await startRedis();
  const database = await createDatabase(POSTGRES);
  const server = await startNode(
    [SERVER, 'serve'],
    serverEnv({ DATABASE_URL: database.url, REDIS_URL: redis.url, LEASEHOLD_DATA_DIR: join(SCRATCH, 'million') }),
    'lease server (a million sessions)',
  );
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    const perLicense = Math.ceil(SIZE.millionSessions / MILLION_LICENSES);
    const product = await post(server.url, '/api/v1/admin/products', { code: 'million', name: 'Million' });
    const plan = await post(server.url, '/api/v1/admin/plans', {
      productId: product.id,
      code: 'million',
      name: 'Million',
      seats: perLicense,
      seatBasis: 'session',
      leaseTtlSeconds: 3_600,
      heartbeatIntervalSeconds: MILLION_HEARTBEAT_INTERVAL_SECONDS,
    });
    const org = await post(server.url, '/api/v1/admin/organisations', { name: 'Million Ltd' });
    const bodies = [];
    // Before any session exists: a background pass (gauges, the reaper) may load a license into
    // Redis before its first heartbeat does, and that memory belongs to the sessions too.
    const before = await redis.usedMemory();
    const started = Date.now();
    for (let l = 0; l < MILLION_LICENSES; l++) {
      const license = await post(server.url, '/api/v1/admin/licenses', { organisationId: org.id, planId: plan.id });
      const from = l * perLicense + 1;
      await db.query(
        `insert into sessions (id, license_id, organisation_id, basis_key, fingerprint, secret_hash, hostname, started_at, last_heartbeat_at, expires_at)
         select 'ses_' || lpad(g::text, 26, '0'), $1, $2, 's:ses_' || lpad(g::text, 26, '0'), 'million-machine-' || g,
                encode(sha256(convert_to('million-secret-' || lpad(g::text, 24, '0'), 'UTF8')), 'hex'), 'host-' || g, now(), now(), now() + interval '1 hour'
         from generate_series($3::int, $4::int) g`,
        [license.id, org.id, from, from + perLicense - 1],
      );
      for (let g = from; g < from + perLicense; g++) {
        const n = String(g);
        bodies.push(`{"sessionId":"ses_${n.padStart(26, '0')}","sessionSecret":"million-secret-${n.padStart(24, '0')}"}`);
      }
    }
    const createdSeconds = (Date.now() - started) / 1000;
    const sessionsFile = join(SCRATCH, 'million.jsonl');
    writeFileSync(sessionsFile, `${bodies.join('\n')}\n`);
    // One heartbeat per license: each finds the license missing from Redis and loads it.
    const loadStarted = Date.now();
    // A 503 (the store did not answer in time) is retried after its Retry-After, as the SDK does, and counted.
    let loadRetries = 0;
    for (let l = 0; l < MILLION_LICENSES; l++) {
      for (let attempt = 1; ; attempt++) {
        const answer = await fetch(`${server.url}/api/v1/licenses/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodies[l * perLicense],
        });
        if (answer.ok) break;
        if (answer.status !== 503 || attempt === 5) throw new Error(`heartbeat after the bulk insert: ${answer.status} ${await answer.text()}`);
        loadRetries += 1;
        await sleep(Number(answer.headers.get('retry-after') ?? 1) * 1000);
      }
    }
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const after = await redis.usedMemory();
    const rate = Math.round(bodies.length / MILLION_HEARTBEAT_INTERVAL_SECONDS);
    log(`a million sessions: heartbeats, open loop at ${rate}/s`);
    // Past what the server answers, requests queue: a few seconds of load show the latency without minutes of backlog.
    const atLoad = await openLoop(SCRATCH, 'million', {
      url: server.url,
      path: '/api/v1/licenses/heartbeat',
      rate,
      bodiesFile: sessionsFile,
      durationSeconds: Math.min(SIZE.latencyDuration, MILLION_LOAD_SECONDS),
    });
    return {
      sessions: bodies.length,
      licenses: MILLION_LICENSES,
      createdSeconds,
      loadSeconds,
      loadRetries,
      redisBytesPerSession: (after - before) / bodies.length,
      redisUsedMemory: await redis.usedMemory(),
      intervalSeconds: MILLION_HEARTBEAT_INTERVAL_SECONDS,
      atLoad,
    };
  } finally {
    await db.end();
    await server.stop();
    await redis.stop();
    await database.drop().catch(() => {});
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/**
 * The seat promise under faults, longer than the test command's run and with several
 * seeds: three replicas, Redis flushed, stopped and paused, replicas killed, PostgreSQL
 * restarted (see
 * apps/server/test/faults/fault-schedule.ts). Fails the bench if a seed fails.
 */
async function faultSchedules() {
  const seeds = process.env.BENCH_FAULT_SEEDS ?? '1,2,3';
  const seconds = String(num('BENCH_FAULT_SECONDS', 40));
  log(`fault schedules: seeds ${seeds}, ${seconds} s each`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'apps/server/test/faults/fault-schedule.test.ts'],
    { cwd: root, env: { ...process.env, FAULT_SEEDS: seeds, FAULT_SECONDS: seconds, FAULT_RESTART_POSTGRES: '1' }, maxBuffer: 16 << 20 },
  );
  return (
    stdout
      .split('\n')
      // vitest may colour its output: the result line is what follows the last escape code.
      .map((line) => line.slice(Math.max(0, line.indexOf('{"seed"'))))
      .filter((line) => line.startsWith('{"seed"'))
      .map((line) => JSON.parse(line))
  );
}

async function main() {
  const started = Date.now();
  const results = { machine: machine(), size: SIZE };
  log('machine', results.machine, 'size', SIZE);
  const scratch = SCRATCH;
  const redis = await startRedis();
  const database = await createDatabase(POSTGRES);
  const stops = [];
  try {
    // The embedded store first: later, PostgreSQL is still busy in the background (checkpoints,
    // autovacuum) with the Redis runs' 100,000 sessions, on the cores PGlite needs.
    log('embedded store (PGlite), closed loop');
    const embedded = await startNode([SERVER, 'serve'], serverEnv({ LEASEHOLD_DATA_DIR: join(scratch, 'embedded') }), 'embedded server');
    stops.push(embedded.stop);
    const embeddedLicense = await seed(embedded.url, SIZE.embeddedSessions * 2 + SIZE.warmupAcquires);
    await acquireMany(embedded.url, embeddedLicense, SIZE.warmupAcquires);
    let embeddedRun;
    results.embeddedAcquire = await withCpu(embedded.pid, async () => {
      embeddedRun = await acquireMany(embedded.url, embeddedLicense, SIZE.embeddedSessions);
      return embeddedRun.summary;
    });
    log('embedded heartbeat, closed loop');
    results.embeddedHeartbeat = await withCpu(embedded.pid, async () => heartbeats(embedded.url, embeddedRun.sessionsFile, SIZE.duration));
    await embedded.stop();

    const env = serverEnv({ DATABASE_URL: database.url, REDIS_URL: redis.url, LEASEHOLD_DATA_DIR: join(scratch, 'redis-server') });
    const server = await startNode([SERVER, 'serve'], env, 'lease server');
    stops.push(server.stop);
    // Room for the closed-loop sessions (twice over: the profiled run acquires more) and the fixed-rate acquires.
    const license = await seed(server.url, SIZE.sessions * 2 + SIZE.acquireRate * (SIZE.latencyWarmup + SIZE.latencyDuration));

    // One heartbeat answer, to size the bare route's JSON like it.
    const probe = await post(server.url, '/api/v1/licenses/acquire', { product: 'bench', licenseKey: license.key, fingerprint: 'probe-machine' });
    const probeBeat = await fetch(`${server.url}/api/v1/licenses/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: probe.sessionId, sessionSecret: probe.sessionSecret }),
    });
    const heartbeatAnswer = await probeBeat.text();
    const heartbeatRequest = JSON.stringify({ sessionId: probe.sessionId, sessionSecret: probe.sessionSecret });
    results.sizes = { heartbeatRequestBytes: heartbeatRequest.length, heartbeatResponseBytes: heartbeatAnswer.length };
    const bareServer = await startNode([join(root, 'bench/bare-server.mjs')], { BARE_RESPONSE_BYTES: String(heartbeatAnswer.length) }, 'bare route');
    stops.push(bareServer.stop);

    log('bare route, closed loop');
    results.bare = await withCpu(bareServer.pid, async () =>
      closedLoop({ url: bareServer.url, path: '/echo', body: heartbeatRequest, durationSeconds: SIZE.duration }),
    );

    // The yardsticks: what one script call, and one script + signature + group commit, reach here.
    const yardstick = await startNode(
      [join(root, 'bench/yardstick-server.mjs')],
      { REDIS_URL: redis.url, DATABASE_URL: database.url, YARDSTICK_RESPONSE_BYTES: String(heartbeatAnswer.length) },
      'yardstick routes',
    );
    stops.push(yardstick.stop);
    log('one-script yardstick, closed loop');
    results.oneScript = await withCpu(yardstick.pid, async () =>
      closedLoop({ url: yardstick.url, path: '/one-script', body: heartbeatRequest, durationSeconds: SIZE.duration }),
    );
    log('acquire yardstick, closed loop');
    const acquireBody = JSON.stringify({ product: 'bench', licenseKey: license.key, fingerprint: 'yardstick-machine' });
    results.acquireYardstick = await withCpu(yardstick.pid, async () =>
      closedLoop({ url: yardstick.url, path: '/acquire', body: acquireBody, durationSeconds: SIZE.duration }),
    );
    await yardstick.stop();
    stops.splice(stops.indexOf(yardstick.stop), 1);

    // Unmeasured acquires first, so JIT compilation and connection set-up are not in the figures.
    log(`warming up with ${SIZE.warmupAcquires} acquires`);
    await acquireMany(server.url, license, SIZE.warmupAcquires);
    const redisBefore = await redis.usedMemory();
    const memoryBefore = await serverMemory(server.url);
    log(`acquiring ${SIZE.sessions} sessions, closed loop`);
    let acquired;
    results.acquire = await withCpu(server.pid, async () => {
      acquired = await acquireMany(server.url, license, SIZE.sessions);
      return { ...acquired.summary, sessions: acquired.sessions };
    });
    await sleep(3_000);
    const redisAfter = await redis.usedMemory();
    const memoryAfter = await serverMemory(server.url);
    const n = acquired.sessions;
    results.memory = {
      redisBytesPerSession: (redisAfter - redisBefore) / n,
      serverRssBytesPerSession: (memoryAfter.rss - memoryBefore.rss) / n,
      serverHeapBytesPerSession: (memoryAfter.heap - memoryBefore.heap) / n,
      redisUsedMemory: redisAfter,
    };

    log('heartbeat, closed loop');
    results.heartbeat = await withCpu(server.pid, async () => heartbeats(server.url, acquired.sessionsFile, SIZE.duration));
    const loadRate = Math.max(1, Math.round(n / SIZE.heartbeatIntervalSeconds));
    log(`heartbeat, open loop at ${loadRate}/s`);
    // The same {sessionId, sessionSecret} bodies as the closed-loop run, one per line, cycled in order.
    const heartbeatBodies = acquired.sessionsFile;
    results.heartbeatAtLoad = await openLoop(scratch, 'heartbeat', {
      url: server.url,
      path: '/api/v1/licenses/heartbeat',
      rate: loadRate,
      bodiesFile: heartbeatBodies,
    });
    log(`bare route, open loop at ${loadRate}/s`);
    results.bareAtLoad = await openLoop(scratch, 'bare', { url: bareServer.url, path: '/echo', rate: loadRate, body: heartbeatRequest });
    log(`acquire, open loop at ${SIZE.acquireRate}/s`);
    // A new machine per request ({n} is the request number), so every acquire takes a new seat.
    results.acquireAtLoad = await openLoop(scratch, 'acquire', {
      url: server.url,
      path: '/api/v1/licenses/acquire',
      rate: SIZE.acquireRate,
      body: JSON.stringify({ product: 'bench', licenseKey: license.key, fingerprint: 'bench-machine-open-{n}', hostname: 'host-open-{n}' }),
    });
    await server.stop();
    stops.splice(stops.indexOf(server.stop), 1);

    // Rate limits at their production defaults (config.ts): they cost Redis calls too. Heartbeats
    // carry no limit of their own (acquires do, per IP and per license), so every answer here is a
    // 2xx: the row shows what configured limits cost the heartbeat path.
    log('heartbeat, closed loop, rate limits at production defaults');
    const limitedEnv = { ...env };
    for (const name of Object.keys(limitedEnv)) if (name.startsWith('LEASEHOLD_RATE_LIMIT_')) delete limitedEnv[name];
    const limited = await startNode([SERVER, 'serve'], limitedEnv, 'rate-limited server');
    stops.push(limited.stop);
    results.heartbeatRateLimited = await withCpu(limited.pid, async () => heartbeats(limited.url, acquired.sessionsFile, SIZE.duration));
    results.heartbeatRateLimited.cpuMicrosPerRequest =
      (results.heartbeatRateLimited.cpuMicrosPerRequest * results.heartbeatRateLimited.ok) /
      (results.heartbeatRateLimited.ok + results.heartbeatRateLimited.non2xx);
    await limited.stop();
    stops.splice(stops.indexOf(limited.stop), 1);

    // Each hot path profiled on a server of its own, so neither profile holds the other's work.
    // Heartbeats cycle over 10,000 sessions: a server that just started knows none of them,
    // and after the first pass it is in the steady state of a long-running replica.
    log('profiling heartbeats');
    results.profile = await profileRun(env, join(scratch, 'profile-heartbeat'), (url) =>
      heartbeats(url, firstLines(acquired.sessionsFile, 10_000), SIZE.profileSeconds),
    );
    log('profiling acquires');
    results.acquireProfile = await profileRun(env, join(scratch, 'profile-acquire'), (url) =>
      acquireMany(url, license, Math.max(1_000, SIZE.profileSeconds * 2_500)),
    );

    log(`heartbeats on a Redis Cluster of 1 and of 3 shards, ${SIZE.shardSessions} sessions of ${SHARD_LICENSES} licenses`);
    results.shards = [await heartbeatOnShards(1), await heartbeatOnShards(3)];

    log(`${SIZE.millionSessions} live sessions on one Redis`);
    results.million = await millionSessions();

    log(`zero over-allocation: ${SIZE.raceTrials} trials of ${SIZE.raceAcquirers} acquirers for 10 seats on each store`);
    results.race = await runRaces({ trials: SIZE.raceTrials, embeddedTrials: SIZE.embeddedRaceTrials, racers: SIZE.raceAcquirers, postgresUrl: POSTGRES });
    results.faults = await faultSchedules();
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await redis.stop();
    await database.drop().catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  }
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  const lastRun = join(root, 'bench/last-run.json');
  // The run this one replaces: the report sets their figures side by side.
  const previous = existsSync(lastRun) ? JSON.parse(readFileSync(lastRun, 'utf8')) : null;
  writeFileSync(lastRun, `${JSON.stringify(results, null, 2)}\n`);
  const { renderReport } = await import('./report.mjs');
  writeFileSync(join(root, 'BENCHMARKS.md'), renderReport(results, previous, readFileSync(join(root, 'bench/changes.md'), 'utf8')));
  // Laid out as the repository's formatter wants it, so a fresh report passes `npm run lint`.
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', 'BENCHMARKS.md'], { cwd: root });
  log(`done in ${results.elapsedSeconds} s; wrote BENCHMARKS.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
