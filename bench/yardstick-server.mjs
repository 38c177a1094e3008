// The yardsticks a heartbeat and an acquire are measured against: what their design allows on this
// host, without Leasehold's own code. Prints "Listening on <url>".
//   POST /one-script  parse, one EVALSHA of a heartbeat-shaped script on Redis TIME, answer
//                     the heartbeat's bytes
//   POST /acquire     the same, plus one Ed25519 signature and a group-committed PostgreSQL insert
//                     of a session row and an audit row, answered once the insert committed
// Env: REDIS_URL, DATABASE_URL, YARDSTICK_RESPONSE_BYTES.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const responseBytes = Number(process.env.YARDSTICK_RESPONSE_BYTES ?? 1000);
const redis = new Redis(process.env.REDIS_URL);
// Heartbeat-shaped: read the clock, check and extend one session hash, move its score in a ZSET.
redis.defineCommand('beat', {
  numberOfKeys: 2,
  lua: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'exp', 'sh')
local exp = now + 360000
redis.call('HSET', KEYS[1], 'exp', exp, 'sh', ARGV[2])
redis.call('PEXPIRE', KEYS[1], 420000)
redis.call('ZADD', KEYS[2], exp, ARGV[1])
return {now, exp}`,
});

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
await pool.query(`create table if not exists yardstick_sessions (id text primary key, license text not null, fingerprint text not null, expires_at timestamptz not null);
  create table if not exists yardstick_audit (id bigserial primary key, session text not null, at timestamptz not null default now(), body jsonb not null)`);

// Group commit: every insert waiting when a statement finishes goes into the next one (up to 4 in flight).
const waiting = [];
let inFlight = 0;
function flush() {
  while (inFlight < 4 && waiting.length > 0) {
    const batch = waiting.splice(0, 64);
    inFlight += 1;
    const rows = JSON.stringify(batch.map((b) => b.row));
    pool
      .query(
        `with s as (insert into yardstick_sessions select id, license, fingerprint, to_timestamp(exp / 1000.0)
           from json_to_recordset($1::json) as r(id text, license text, fingerprint text, exp bigint) returning id)
         insert into yardstick_audit (session, body) select id, json_build_object('type', 'seat.granted', 'session', id)::jsonb from s`,
        [rows],
      )
      .then(
        () => {
          for (const b of batch) b.resolve();
        },
        (error) => {
          for (const b of batch) b.reject(error);
        },
      )
      .finally(() => {
        inFlight -= 1;
        flush();
      });
  }
}
const insert = (row) =>
  new Promise((resolve, reject) => {
    waiting.push({ row, resolve, reject });
    flush();
  });

const { privateKey } = generateKeyPairSync('ed25519');
const padding = (n) => 'x'.repeat(Math.max(0, responseBytes - n));
const app = Fastify({ logger: false });
app.post('/one-script', async (request) => {
  const { sessionId, sessionSecret } = request.body;
  const [now, exp] = await redis.beat(`ys:{lic}:s:${sessionId}`, 'ys:{lic}:b', sessionId, String(sessionSecret).slice(0, 16));
  return { sessionId, now, expiresAt: exp, token: padding(80) };
});
app.post('/acquire', async (request) => {
  const { licenseKey, fingerprint } = request.body;
  const sessionId = randomUUID();
  const [, exp] = await redis.beat(`ys:{lic}:s:${sessionId}`, 'ys:{lic}:b', sessionId, fingerprint);
  const token = sign(null, Buffer.from(JSON.stringify({ sid: sessionId, lic: licenseKey, fp: fingerprint, exp })), privateKey).toString('base64url');
  await insert({ id: sessionId, license: String(licenseKey), fingerprint: String(fingerprint), exp });
  return { sessionId, sessionSecret: randomUUID(), expiresAt: exp, token };
});
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`Listening on http://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => Promise.all([redis.quit(), pool.end()]))
    .then(() => process.exit(0)),
);
