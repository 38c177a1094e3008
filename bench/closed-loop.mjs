// Closed-loop HTTP load generator (autocannon), run as its own process so that its work (building
// bodies, parsing answers, its garbage collection) is never on the benchmark's event loop and weighs
// the same on every route it is compared across.
//
//   node bench/closed-loop.mjs config.json
//
// config.json: { url, path, method ('POST'), connections (64), durationSeconds or amount (stop after
//   this many answers), and the bodies: either `body` (one string; every `{n}` in it becomes the
//   request number, from 1) or `bodiesFile` (JSON lines, one body per line, used in order and cycled);
//   `keepFile`: where to write, one JSON line each, the {sessionId, sessionSecret} of every 200 answer }.
// Prints one JSON line on stdout: autocannon's figures (latencies in ms) and the wall time (with
//   `amount`, until the last answer).
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const bodies = config.bodiesFile ? readFileSync(config.bodiesFile, 'utf8').split('\n').filter(Boolean) : null;
const template = String(config.body ?? '').split('{n}');
let n = 0;
// Bodies are prepared strings: one array read (or one join) per request, the same cost on every route.
const nextBody = bodies ? () => bodies[n++ % bodies.length] : template.length === 1 ? () => template[0] : () => template.join(String(++n));
const kept = [];

const started = Date.now();
// When the last answer came: autocannon ends a run of `amount` answers only at its next
// one-second sample, so the time it takes would round an acquire run up to whole seconds.
let lastAnswerAt = started;
const result = await new Promise((resolve, reject) => {
  const instance = autocannon(
    {
      url: config.url,
      connections: config.connections ?? 64,
      ...(config.amount ? { amount: config.amount } : { duration: config.durationSeconds }),
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: config.method ?? 'POST',
          path: config.path ?? '/',
          setupRequest: (req) => ({ ...req, body: nextBody() }),
          ...(config.keepFile
            ? {
                onResponse: (status, body) => {
                  if (status !== 200) return;
                  const { sessionId, sessionSecret } = JSON.parse(body);
                  kept.push(JSON.stringify({ sessionId, sessionSecret }));
                },
              }
            : {}),
        },
      ],
    },
    (error, r) => (error ? reject(error) : resolve(r)),
  );
  instance.on('response', () => {
    lastAnswerAt = Date.now();
  });
});
const wallSeconds = ((config.amount ? lastAnswerAt : Date.now()) - started) / 1000;
if (config.keepFile) writeFileSync(config.keepFile, kept.length > 0 ? `${kept.join('\n')}\n` : '');
console.log(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    max: result.latency.max,
    kept: kept.length,
    wallSeconds,
  }),
);
