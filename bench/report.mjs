// Renders BENCHMARKS.md from one run's results.
import { comparisonSection } from './compare.mjs';
import { bytes, f0, ms } from './format.mjs';

const row = (name, r) =>
  `| ${name} | ${f0(r.rps)} | ${f0(r.cpuMicrosPerRequest)} µs | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.p999)} | ${f0(r.ok)} | ${f0(r.non2xx)} | ${f0(r.errors)} |`;
const head = '| Run | Requests/s | Server CPU per request | p50 | p99 | p99.9 | 2xx | non-2xx | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|';
// Fixed-rate runs: latencies from the open-loop generator's HDR histogram, fractional ms.
const late = (r) =>
  Number.isFinite(r.lateSends) && r.sent > 0 ? `${f0(r.lateSends)} (${((100 * r.lateSends) / r.sent).toFixed(1)}%), max ${ms(r.maxSendLag)}` : 'n/a';
const openRow = (name, r) =>
  `| ${name} | ${f0(r.rate)} | ${f0(r.rps)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.p999)} | ${ms(r.max)} | ${f0(r.ok)} | ${f0(r.non2xx)} | ${f0(r.errors)} | ${late(r)} |`;
const openHead =
  '| Run | Rate | Answered/s | p50 | p90 | p99 | p99.9 | max | 2xx | non-2xx | errors | Sent > 1 ms late |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';
const ANALYSIS = `## Reading these numbers

- The machine has 2 cores shared by the load generators, the server, PostgreSQL and Redis (and anything
  else the host runs meanwhile). Every run's load generator is a process of its own
  (closed loop: \`bench/closed-loop.mjs\`, autocannon with prepared bodies; fixed rate:
  \`bench/open-loop.mjs\`), so its work weighs the same on a Leasehold route and on its yardstick. In the
  latency table the bare route at the same rate is the yardstick: it is what the host, loopback HTTP
  and the generator cost without the server's work; the heartbeat row's excess over it is what the
  server adds. Requests sent more than 1 ms late mean the generator's process did not keep to its schedule
  (not scheduled on a core, or collecting garbage); that delay is counted in the latencies, not hidden.
  Compare rows within one run only.
- Server CPU per request is the steadiest figure here: it does not depend on what else had the cores.
  Requests/s, and so the throughput targets, also measure how much CPU the generator, PostgreSQL and
  Redis left the server: that is why each is compared with a yardstick of the same shape from the same
  run (one Redis script per request; a script, a signature and a group-committed insert).
- A heartbeat on the Redis store asks nothing of PostgreSQL: the license's terms come from memory, dropped
  by a PostgreSQL NOTIFY when a license, plan or product changes (read from the database while that
  listener is down; never used for more than 5 s), and so does the session's license (looked up once per
  replica, many sessions per query). It does one Redis script call (a handful of HMGET/HSET/PEXPIRE/ZADD),
  a SHA-256 of the secret, and writes its answer with \`JSON.stringify\`. PostgreSQL gets a copy only when
  its copy of the expiry has less than half a lease left or a new token is due: about one heartbeat in
  three at the default 360 s lease and 60 s interval, batched every 2 s into one
  \`UPDATE … FROM json_to_recordset($1)\` per 1,000 sessions. The closed-loop run heartbeats within a
  minute or two of the acquires, so almost none of its heartbeats are copied or sign a token.
- Where the heartbeat's time goes: about three times a bare request's CPU. A fifth to a quarter of it is
  the kernel calls that write (\`writev\` for the HTTP answer, which the bare route pays too, and \`writeUtf8String\`
  for the Redis command); a twentieth is garbage collection; the rest is spread thinly over ioredis,
  Fastify, the answer's assembly, hashing, zod and the metrics histogram, with no single part worth
  more than a few percent. Measured and not kept, each within the noise: ioredis auto-pipelining, one
  batch of Redis commands per event-loop turn, and corking the Redis socket for a turn.
- Acquire: each one reads the license's terms fresh from PostgreSQL (one query answers every acquire
  waiting), runs one Redis script, signs an Ed25519 token, and answers only once its session row and
  audit event are in PostgreSQL, the source of truth. Those writes are batched: up to 64 grants per
  statement, which inserts the sessions, links the audit events into the hash chain (PostgreSQL computes
  each link under the chain head's lock, so the lock is never held across a round trip) and moves the
  head, with up to 4 statements in flight. Even so an acquire costs the server about ten bare requests'
  CPU (token signing, key and secret hashing, the audit event's digest, the Redis and PostgreSQL
  protocol work), and PostgreSQL's own work for each row comes on top on the same two cores. Answering
  before PostgreSQL has the grant would be faster and would break the rule that nothing acknowledged
  lives only in Redis.
- Logging: the benchmark's servers run at \`LOG_LEVEL=warn\`. At \`info\` the server logs one line per
  answered request (\`LEASEHOLD_REQUEST_LOG_LEVEL\`), which adds roughly 5–15 µs of CPU per heartbeat;
  set it to \`debug\` on a busy server.
- Tokens: a heartbeat returns the stored token until half its lease has passed, rebuilt from the
  ~120 B form Redis keeps (the claims from the license's terms, checked against a SHA-256 digest of
  what was signed: one hash of ~700 B per heartbeat instead of ~630 B more per session in Redis). In this run heartbeats
  come within minutes of the acquire, so almost none re-sign; at a 60 s interval in production about one
  heartbeat in three signs a token.
- The embedded store (PGlite, PostgreSQL compiled to WASM inside the server process) serialises every
  transaction, and its database work counts in the server's CPU per request. Acquires that arrive
  together are decided in one transaction, which counts the license's live seats once: on this run's
  session basis a plain count, on the machine and user bases a distinct count that costs more as a
  license gathers thousands of live sessions. It runs first, before PostgreSQL has the Redis runs' rows
  to checkpoint and vacuum on the same cores. Both lease servers first take 1,000
  unmeasured acquires, so JIT compilation and start-up are not in the figures.
`;
const verdict = (ok) => (ok ? 'met' : '**not met**');

function profileSection(profile, title) {
  if (!profile) return [`${title}: no profile was written.`, ''];
  return [
    `${title}; ${f0(profile.samples)} samples. Self time:`,
    '',
    '| Where | Self time |',
    '|---|---:|',
    ...profile.places.map((p) => `| ${p.name} | ${p.percent.toFixed(1)}% |`),
    '',
    '| Function | Self time |',
    '|---|---:|',
    ...profile.functions.map((p) => `| ${p.name.replaceAll('|', '\\|')} | ${p.percent.toFixed(1)}% |`),
    '',
  ];
}

/** The report; `previous` is the run before (its bench/last-run.json), `changes` the account of what changed. */
export function renderReport(r, previous = null, changes = '') {
  const m = r.machine;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (code in `bench/`). Every figure below comes from one run on one machine:',
    'PostgreSQL, Redis, the lease server and a bare Fastify route as separate processes, driven over',
    'loopback by load generators in processes of their own: the throughput runs by `bench/closed-loop.mjs`',
    '(autocannon), the fixed-rate latency runs by `bench/open-loop.mjs`. Re-run it rather than trusting old numbers.',
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores (the load generators, the server, PostgreSQL and Redis share them)`,
    `- Memory: ${m.memoryGiB} GiB`,
    `- Node.js ${m.node}, ${m.os}`,
    `- Run: ${f0(r.size.sessions)} live sessions, ${r.size.connections} connections, ${r.size.duration} s per throughput run, ${r.size.latencyDuration} s per latency run${Number.isFinite(r.size.latencyWarmup) ? ` after ${r.size.latencyWarmup} s of warm-up` : ''}; took ${r.elapsedSeconds} s`,
    '',
    '## Targets',
    '',
    '| Target | Reached | |',
    '|---|---|---|',
    `| ${f0(r.acquire.sessions)} live sessions, heartbeat p99 < 10 ms at their load (${f0(r.heartbeatAtLoad.rate)}/s) | p99 ${ms(r.heartbeatAtLoad.p99)}, p99.9 ${ms(r.heartbeatAtLoad.p999)} | ${verdict(r.heartbeatAtLoad.p99 < 10 && r.acquire.sessions >= 100_000)} |`,
    `| Embedded store (PGlite) ≥ 1,500 acquires/s and ≥ 5,000 heartbeats/s | ${f0(r.embeddedAcquire.rps)} acquires/s, ${f0(r.embeddedHeartbeat.rps)} heartbeats/s | ${verdict(r.embeddedAcquire.rps >= 1500 && r.embeddedHeartbeat.rps >= 5000)} |`,
    `| Redis memory per live session ≤ 500 B | ${bytes(r.memory.redisBytesPerSession)} | ${verdict(r.memory.redisBytesPerSession <= 500)} |`,
    r.million
      ? `| 1,000,000 live sessions created and held on one Redis, memory and p99 reported | ${f0(r.million.sessions)} sessions: Redis ${bytes(r.million.redisBytesPerSession)} per session (${f0(r.million.redisUsedMemory / 2 ** 20)} MiB in all); heartbeats at ${f0(r.million.atLoad.rate)}/s (one per ${r.million.intervalSeconds} s each): p99 ${ms(r.million.atLoad.p99)}, ${f0(r.million.atLoad.rps)} answered/s | ${r.million.sessions >= 1_000_000 ? 'reported' : '**not run at full size**'} |`
      : '| 1,000,000 live sessions created and held on one Redis, memory and p99 reported | not run | not measured |',
    ...(r.race
      ? [
          `| Zero over-allocation: ${f0(r.race[0].racers)} acquirers racing for ${r.race[0].seats} seats, ${Math.max(...r.race.map((x) => x.trials))} trials, each store, and on Redis Cluster | ${r.race.map((x) => `${x.label} (${x.trials} trials): ${x.overAllocated} over-allocated, granted ${x.minGranted}–${x.maxGranted}`).join('; ')} | ${verdict(r.race.every((x) => x.overAllocated === 0 && x.minGranted === x.seats))} |`,
        ]
      : []),
    ...(r.oneScript && r.acquireYardstick
      ? [
          `| Heartbeat ≥ 0.9× the one-script route | ${(r.heartbeat.rps / r.oneScript.rps).toFixed(2)}× (${(r.heartbeat.rps / r.bare.rps).toFixed(2)}× the bare route) | ${verdict(r.heartbeat.rps >= 0.9 * r.oneScript.rps)} |`,
          `| Acquire ≥ 0.8× the acquire yardstick | ${(r.acquire.rps / r.acquireYardstick.rps).toFixed(2)}× (${(r.acquire.rps / r.bare.rps).toFixed(2)}× the bare route) | ${verdict(r.acquire.rps >= 0.8 * r.acquireYardstick.rps)} |`,
          `| Server CPU per heartbeat ≤ 1.3× the one-script route's | ${(r.heartbeat.cpuMicrosPerRequest / r.oneScript.cpuMicrosPerRequest).toFixed(2)}× | ${verdict(r.heartbeat.cpuMicrosPerRequest <= 1.3 * r.oneScript.cpuMicrosPerRequest)} |`,
        ]
      : []),
    '',
    ...comparisonSection(previous, r, changes),
    '## Throughput (closed loop: as fast as the server answers)',
    '',
    head,
    row('Bare Fastify POST, same JSON sizes', r.bare),
    ...(r.oneScript ? [row('Yardstick: one Redis script per request', r.oneScript)] : []),
    ...(r.acquireYardstick ? [row('Yardstick: script + Ed25519 + group-committed insert', r.acquireYardstick)] : []),
    row(`Acquire, Redis store (${f0(r.acquire.sessions)} new sessions)`, r.acquire),
    row('Heartbeat, Redis store', r.heartbeat),
    ...(r.heartbeatRateLimited ? [row('Heartbeat, Redis store, rate limits at production defaults', r.heartbeatRateLimited)] : []),
    row('Acquire, embedded store', r.embeddedAcquire),
    row('Heartbeat, embedded store', r.embeddedHeartbeat),
    '',
    `Request/response sizes: heartbeat request ${r.sizes.heartbeatRequestBytes} B, answer ${r.sizes.heartbeatResponseBytes} B; the bare route takes and returns the same.`,
    'Acquire requests/s is sessions created divided by wall time. Server CPU per request is the CPU time',
    '(user + system, from /proc) the server process used during the run divided by the answers it gave:',
    'what one request costs the server, whatever the machine had left for it.',
    '',
    '## Latency at a fixed rate (open loop)',
    '',
    '`bench/open-loop.mjs`, run as a separate process for each row: request *i* is due at start + *i* / rate and',
    `is sent then, whether or not earlier ones have answered, over at most ${r.size.connections} keep-alive connections (a due`,
    'request that finds them all busy waits for one). Its latency runs from the time it was *due* to the end of',
    'its answer, so a late generator, a wait for a connection and a slow server all count (no coordinated',
    `omission). Latencies go into an HDR histogram in microseconds; the first ${r.size.latencyWarmup ?? 0} s of each run are a`,
    'warm-up, not recorded. Answered/s is answers over the measured span, including the wait for the last',
    'ones: below the rate when the server fell behind. The last column counts requests the generator itself',
    'sent more than 1 ms after they were due, and the largest such delay.',
    '',
    openHead,
    openRow(`Heartbeat, Redis store, over ${f0(r.acquire.sessions)} sessions`, r.heartbeatAtLoad),
    openRow('Bare Fastify POST, same JSON sizes', r.bareAtLoad),
    openRow('Acquire, Redis store, a new machine each', r.acquireAtLoad),
    '',
    ...(r.race
      ? [
          '## Zero over-allocation (bench/race.mjs)',
          '',
          'Each trial creates a license with 10 seats (machine basis) and sends every acquire at once, each on its own',
          'connection, spread over the server processes; the seats granted are counted from the answers and from the',
          "server's own count afterwards. 503 answers (overload) are retried after Retry-After, as the SDK does.",
          '',
          '| Setup | Trials | Acquirers | Granted (min–max) | Over-allocated trials | Other answers | Median trial |',
          '|---|---:|---:|---|---:|---:|---:|',
          ...r.race.map(
            (x) =>
              `| ${x.label} | ${x.trials} | ${f0(x.racers)} | ${x.minGranted}–${x.maxGranted} | ${x.overAllocated} | ${x.unexpectedAnswers} | ${f0(x.medianTrialMs)} ms |`,
          ),
          '',
        ]
      : []),
    ...(r.faults?.length
      ? [
          '## Seat promise under faults (apps/server/test/faults/fault-schedule.ts)',
          '',
          'Three replicas on the Redis store with their own PostgreSQL and Redis; clients record every grant, heartbeat',
          'and release; a seeded schedule flushes, stops and pauses Redis, kills replicas with SIGKILL and restarts',
          'PostgreSQL. Peak holders is the most clients that believed at once that they held a seat, from their answers.',
          '',
          '| Seed | Faults injected | Grants | Peak holders / seats | Grants missing in PostgreSQL | Audit chain | Reconciler after |',
          '|---:|---:|---:|---|---:|---|---|',
          ...r.faults.map(
            (x) =>
              `| ${x.seed} | ${x.faults.length} | ${f0(x.grants)} | ${x.peakHolders} / ${x.seats}${x.peakHolders > x.seats ? ' **over-allocated**' : ''} | ${x.unrecorded.length} | ${x.auditIntact ? 'intact' : '**broken**'} | ${x.reconcilerAfter} |`,
          ),
          '',
        ]
      : []),
    ...(r.shards
      ? [
          '## Redis Cluster: heartbeats on 1 shard and on 3',
          '',
          `One Redis-store server with \`LEASEHOLD_REDIS_CLUSTER=true\` on a local Redis Cluster of 1 and then 3 primaries (no replicas), ${f0(r.size.shardSessions)} sessions of 12 licenses, interleaved so consecutive heartbeats go to different licenses; each license's keys share one hash slot, so its scripts run on one shard.`,
          '',
          head,
          ...r.shards.map((x) => row(`Heartbeat, Redis Cluster of ${x.masters} shard${x.masters > 1 ? 's' : ''}`, x)),
          '',
          `3 shards reach ${(r.shards[1].rps / r.shards[0].rps).toFixed(2)}× the heartbeats/s of 1. On this ${m.cores}-core machine the limit is the one server process (one event loop, ${f0(r.shards[1].cpuMicrosPerRequest)} µs of CPU per heartbeat) sharing the cores with the load generator and the Redis processes. More shards pay off where several server replicas together outrun one Redis.`,
          '',
        ]
      : []),
    ...(r.million
      ? [
          '## A million live sessions on one Redis',
          '',
          `Acquiring ${f0(r.million.sessions)} sessions over HTTP would take most of an hour here, so they were written to PostgreSQL in bulk (${f0(r.million.createdSeconds)} s, ${r.million.licenses} licenses, as a server that lost Redis has them) and Redis loaded them through the store's own rebuild, at the first heartbeat of each license or a background pass before it (${f0(r.million.loadSeconds)} s for all${r.million.loadRetries ? `; ${r.million.loadRetries} of those heartbeats answered 503 first and were retried after Retry-After, as the SDK does` : ''}). They hold no lease token yet, so each signs one at its first heartbeat, and Redis holds ${bytes(r.million.redisBytesPerSession)} per session before those tokens (a stored token is ~120 B more).`,
          '',
          openHead,
          openRow(`Heartbeat, Redis store, over ${f0(r.million.sessions)} sessions (first heartbeat of each: signs its token)`, r.million.atLoad),
          '',
        ]
      : []),
    '## Memory per live session',
    '',
    `- Redis: ${bytes(r.memory.redisBytesPerSession)} (INFO used_memory delta over the sessions created; ${f0(r.memory.redisUsedMemory / 2 ** 20)} MiB in all). A session is one field of its license's sessions hash, its record packed into one value (msgpack, no field names, times as differences, the secret's raw digest) with the lease token in a stored form of ~120 B (the times and the key ID, the signature and a digest of what was signed as raw bytes; the server rebuilds the exact token from the license's terms), and a session-basis seat is one entry of the license's seats zset: no key of its own.`,
    `- Server: ${bytes(r.memory.serverHeapBytesPerSession)} heap, ${bytes(r.memory.serverRssBytesPerSession)} RSS (deltas without a forced GC: approximate). The server keeps only a session→license map; sessions live in Redis and PostgreSQL.`,
    '',
    '## Where the time goes (CPU profiles of the hot paths)',
    '',
    ...profileSection(
      r.profile,
      `Heartbeats: \`node --cpu-prof\` on a fresh Redis-store server taking ${r.size.profileSeconds} s of closed-loop heartbeats over 10,000 of the sessions`,
    ),
    ...profileSection(r.acquireProfile, 'Acquires: `node --cpu-prof` on a fresh Redis-store server taking a closed-loop burst of new sessions'),
    ...ANALYSIS.split('\n'),
    '## How to run',
    '',
    `\`npm run bench\` builds, then runs everything (this run: ${f0(r.elapsedSeconds / 60)} minutes). It needs`,
    '`redis-server` on the PATH and a PostgreSQL it may create a database on',
    '(`BENCH_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`). Rate limits are off.',
    '',
    '| Variable | Default | Meaning |',
    '|---|---|---|',
    '| `BENCH_SESSIONS` | 100000 | live sessions created on the Redis store |',
    '| `BENCH_DURATION_SECONDS` | 10 | length of each closed-loop run |',
    '| `BENCH_LATENCY_SECONDS` | 20 | length of each fixed-rate (open-loop) run, after its warm-up |',
    '| `BENCH_LATENCY_WARMUP_SECONDS` | 2 | warm-up of each fixed-rate run, sent but not recorded |',
    '| `BENCH_CONNECTIONS` | 64 | connections of closed-loop runs; most connections of a fixed-rate run |',
    '| `BENCH_HEARTBEAT_INTERVAL_SECONDS` | 60 | heartbeat interval: the open-loop rate is sessions / interval |',
    '| `BENCH_ACQUIRE_RATE` | 500 | acquires/s of the open-loop acquire run |',
    '| `BENCH_EMBEDDED_ACQUIRES` | 3000 | sessions created on the embedded store |',
    '| `BENCH_WARMUP_ACQUIRES` | 1000 | unmeasured acquires on each lease server before its measured runs |',
    '| `BENCH_PROFILE_SECONDS` | 8 | length of the profiled heartbeat run |',
    '| `BENCH_RACE_TRIALS` | 100 | trials of the zero-over-allocation race on PostgreSQL, Redis and Redis Cluster |',
    '| `BENCH_EMBEDDED_RACE_TRIALS` | 20 | trials of the race on the embedded store (several seconds each at 1,000 acquirers) |',
    '| `BENCH_SHARD_SESSIONS` | 6000 | sessions of the Redis Cluster comparison (1 shard and 3) |',
    '| `BENCH_MILLION_SESSIONS` | 1000000 | sessions written to PostgreSQL and loaded into one Redis for the million-session row |',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
