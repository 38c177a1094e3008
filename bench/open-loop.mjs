// Open-loop (constant-rate) HTTP load generator, run as its own process so that its timing depends
// neither on the benchmark's event loop nor on its heap.
//
//   node bench/open-loop.mjs config.json
//
// config.json: { url, path, method ('POST'), headers, rate (requests/s), durationSeconds, warmupSeconds (0,
//   sent but not recorded), connections (keep-alive sockets, 64), drainSeconds (30: how long to wait for
//   answers after the last request is due), and the bodies: either `body` (one string; every `{n}` in it
//   becomes the request number, from 1) or `bodiesFile` (JSON lines, one body per line, used in order
//   and cycled) }.
//
// Request i is due at start + i / rate, whether or not earlier requests have been answered. Its latency
// runs from that due time to the end of its response, so a late generator, a wait for a free socket and
// a slow server all count (no coordinated omission). Prints one JSON line on stdout: times in ms.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import hdr from 'hdr-histogram-js';

// Milliseconds on the monotonic clock, the same in every thread of the process.
const now = () => Number(process.hrtime.bigint()) / 1e6;

// The clock thread. Node's timers fire 1–2 ms apart, which alone would make requests up to 2 ms late;
// Atomics.wait sleeps to within tens of microseconds without spinning a core. After each wake-up it
// tells the main thread how many requests are due by now.
function clock({ interval, total }) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const start = now();
  parentPort.postMessage({ start });
  let due = 0;
  while (due < total) {
    // At most one wake-up per 0.2 ms: at high rates each carries several requests.
    Atomics.wait(cell, 0, 0, Math.max(start + due * interval - now(), 0.2));
    due = Math.min(total, Math.floor((now() - start) / interval) + 1);
    parentPort.postMessage(due);
  }
}

function run() {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { rate, durationSeconds, warmupSeconds = 0, connections = 64, drainSeconds = 30 } = config;
  if (!(rate > 0 && durationSeconds > 0)) throw new Error('rate and durationSeconds must be positive');

  const bodies = config.bodiesFile ? readFileSync(config.bodiesFile, 'utf8').split('\n').filter(Boolean) : null;
  const template = String(config.body ?? '').split('{n}');
  const bodyOf = (i) => (bodies ? bodies[i % bodies.length] : template.join(String(i + 1)));

  const target = new URL(config.path ?? '/', config.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const options = { agent, hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: config.method ?? 'POST' };
  const headers = { 'content-type': 'application/json', ...config.headers };

  const interval = 1000 / rate;
  const warmup = Math.round(warmupSeconds * rate);
  const total = warmup + Math.round(durationSeconds * rate);
  // Microseconds, up to an hour, 3 significant digits: sub-millisecond latencies stay visible.
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3.6e9, numberOfSignificantValueDigits: 3 });
  const counts = { sent: 0, completed: 0, ok2xx: 0, non2xx: 0, errors: 0, lateSends: 0 };
  let maxSendLag = 0;
  let maxBacklog = 0;
  let start = 0;
  let lastEnd = 0;
  // Requests [0, due) have come due; [0, dispatched) have been handed to a socket; `inFlight` await answers.
  // Due requests that find every socket busy wait as the range [dispatched, due), in order, rather than in
  // the agent's own queue: that is an array whose shift() gets slow when tens of thousands wait.
  let due = 0;
  let dispatched = 0;
  let inFlight = 0;
  const dueAt = (i) => start + i * interval;

  function onDue(upTo) {
    for (; due < upTo; due++) {
      // The generator's own lag: above 1 ms it did not keep to the schedule (a busy host or event loop).
      const lag = now() - dueAt(due);
      if (due < warmup) continue;
      if (lag > 1) counts.lateSends += 1;
      maxSendLag = Math.max(maxSendLag, lag);
    }
    pump();
    maxBacklog = Math.max(maxBacklog, due - dispatched);
    if (due === total) drain();
  }

  function pump() {
    while (inFlight < connections && dispatched < due) send(dispatched++);
  }

  function send(i) {
    const measured = i >= warmup;
    if (measured) counts.sent += 1;
    const body = bodyOf(i);
    inFlight += 1;
    let settled = false;
    const settle = (status) => {
      if (settled) return;
      settled = true;
      inFlight -= 1;
      if (measured && status === 0) counts.errors += 1;
      else if (measured) {
        const end = now();
        lastEnd = Math.max(lastEnd, end);
        histogram.recordValue(Math.max(1, Math.round((end - dueAt(i)) * 1000)));
        counts.completed += 1;
        if (status >= 200 && status < 300) counts.ok2xx += 1;
        else counts.non2xx += 1;
      }
      pump();
    };
    const req = http.request({ ...options, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => settle(res.statusCode));
      res.on('error', () => settle(0));
    });
    req.on('error', () => settle(0));
    req.end(body);
  }

  async function drain() {
    const deadline = now() + drainSeconds * 1000;
    while ((inFlight > 0 || dispatched < total) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const measured = total - warmup;
    // Not answered (or never sent) when the drain time ran out: errors, not latencies.
    const unfinished = measured - counts.completed - counts.errors;
    const elapsed = Math.max(durationSeconds, (lastEnd - dueAt(warmup)) / 1000);
    const at = (p) => histogram.getValueAtPercentile(p) / 1000;
    const result = {
      rate,
      durationSeconds,
      warmupSeconds,
      connections,
      ...counts,
      errors: counts.errors + unfinished,
      unfinished,
      // Answers per second over the measured span, the drain included: below `rate` when the server fell behind.
      achievedRps: counts.completed / elapsed,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: histogram.maxValue / 1000,
      maxSendLag,
      // Most requests that were due but waited for a free socket at once.
      maxBacklog,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  }

  const worker = new Worker(new URL(import.meta.url), { workerData: { interval, total } });
  worker.on('message', (message) => {
    if (typeof message === 'number') onDue(message);
    else start = message.start;
  });
  worker.on('error', (error) => {
    throw error;
  });
}

if (isMainThread) run();
else clock(workerData);
