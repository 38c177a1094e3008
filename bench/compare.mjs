// The "since the previous run" part of BENCHMARKS.md: the figures of this run beside those of the
// run before it (the bench/last-run.json this run replaces), and the profiles' top functions side by side.
import { bytes, f0, ms } from './format.mjs';

const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

/** [label, how to read it from a run, how to show it]. */
const FIGURES = [
  ['Heartbeat, requests/s', (r) => r.heartbeat?.rps, f0],
  ['Heartbeat, server CPU per request', (r) => r.heartbeat?.cpuMicrosPerRequest, (x) => `${f0(x)} µs`],
  ['Heartbeat ÷ one-script route (target ≥ 0.9×)', (r) => r.heartbeat?.rps / r.oneScript?.rps, (x) => ratio(x, 1)],
  ['Heartbeat CPU ÷ one-script route’s (target ≤ 1.3×)', (r) => r.heartbeat?.cpuMicrosPerRequest / r.oneScript?.cpuMicrosPerRequest, (x) => ratio(x, 1)],
  ['Acquire, sessions/s', (r) => r.acquire?.rps, f0],
  ['Acquire, server CPU per request', (r) => r.acquire?.cpuMicrosPerRequest, (x) => `${f0(x)} µs`],
  ['Acquire ÷ acquire yardstick (target ≥ 0.8×)', (r) => r.acquire?.rps / r.acquireYardstick?.rps, (x) => ratio(x, 1)],
  ['100,000 sessions, heartbeat p99 at their load (target < 10 ms)', (r) => r.heartbeatAtLoad?.p99, ms],
  ['Acquire at 500/s, p99', (r) => r.acquireAtLoad?.p99, ms],
  ['Embedded store, acquires/s (target ≥ 1,500)', (r) => r.embeddedAcquire?.rps, f0],
  ['Embedded store, heartbeats/s (target ≥ 5,000)', (r) => r.embeddedHeartbeat?.rps, f0],
  ['Redis bytes per live session (target ≤ 500)', (r) => r.memory?.redisBytesPerSession, bytes],
  ['A million sessions: answered/s at 8,333/s', (r) => r.million?.atLoad?.rps, f0],
  ['A million sessions: heartbeat p99', (r) => r.million?.atLoad?.p99, ms],
  ['Whole run (target < 15 minutes)', (r) => r.elapsedSeconds, (x) => `${f0(x)} s`],
];

function profileRows(before, after, count = 12) {
  const share = (profile) => new Map((profile?.functions ?? []).map((f) => [f.name, f.percent]));
  const [b, a] = [share(before), share(after)];
  const names = [...new Set([...a.keys(), ...b.keys()])].slice(0, count);
  const pct = (x) => (x === undefined ? '—' : `${x.toFixed(1)}%`);
  return names.map((name) => `| ${name.replaceAll('|', '\\|')} | ${pct(b.get(name))} | ${pct(a.get(name))} |`);
}

/** A sentence on whether both runs had the same kind of machine: on another CPU, only the ratios compare. */
function sameMachine(previous, current) {
  const cpu = (r) => `${r.machine?.cpu ?? 'unknown CPU'}, ${r.machine?.cores ?? '?'} cores`;
  if (cpu(previous) === cpu(current)) return `Both ran on the same kind of machine (${cpu(current)}).`;
  return `They ran on different machines (${cpu(previous)} then ${cpu(current)}): absolute figures (requests/s, µs, ms) say as much about the machine as about the code.`;
}

/** The section's lines; `changes` is bench/changes.md (what was changed, by whom it was measured how). */
export function comparisonSection(previous, current, changes) {
  if (!previous) return [];
  return [
    '## Since the previous run',
    '',
    `The run before this one (the \`bench/last-run.json\` it replaced, ${f0(previous.elapsedSeconds)} s, ${f0(previous.size?.sessions)} sessions) beside this one. ${sameMachine(previous, current)} Compare ratios to yardsticks first, since they come from within one run.`,
    '',
    '| Figure | Previous run | This run |',
    '|---|---:|---:|',
    ...FIGURES.map(([label, read, show]) => `| ${label} | ${show(read(previous))} | ${show(read(current))} |`),
    '',
    'Heartbeat profile, self time of the busiest functions (previous → this run):',
    '',
    '| Function | Previous run | This run |',
    '|---|---:|---:|',
    ...profileRows(previous.profile, current.profile),
    '',
    'Acquire profile, self time of the busiest functions (previous → this run):',
    '',
    '| Function | Previous run | This run |',
    '|---|---:|---:|',
    ...profileRows(previous.acquireProfile, current.acquireProfile),
    '',
    ...(changes ? [changes.trim(), ''] : []),
  ];
}
