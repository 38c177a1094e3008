#!/usr/bin/env node
// A hand-made mutation check: plants each fault below into the server's source, runs
// the tests that claim to catch it, and expects them to fail. A fault the tests let
// through is a test that does not check what it says.
//
//   node scripts/mutation-check.mjs               every fault, after a baseline run
//   node scripts/mutation-check.mjs seats/ redis  only faults whose name contains a word
//   node scripts/mutation-check.mjs --no-baseline skip the unmutated run first
//   node scripts/mutation-check.mjs --each        each named test file must catch its fault alone
//
// The named tests run the TypeScript sources through vitest (test/support/harness.ts
// builds the app in-process), so no build is needed after planting; a test that
// spawns apps/server/dist/main.js would not see the fault and must not be named here.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = 'apps/server/src/';
const TEST = 'apps/server/test/';
/** A run longer than this is stopped and counted as inconclusive, not as caught. */
const RUN_LIMIT_MS = 5 * 60_000;

const tests = {
  adminTenancy: `${TEST}admin/tenancy.security.test.ts`,
  orgs: `${TEST}identity/orgs.security.test.ts`,
  webhookTenancy: `${TEST}webhooks/webhook-tenancy.security.test.ts`,
  scenarios: `${TEST}seats/seat-scenarios.test.ts`,
  sqlStore: `${TEST}seats/sql-seat-store.test.ts`,
  redisStore: `${TEST}redis/redis-seat-store.test.ts`,
  redisRetention: `${TEST}redis/redis-retention.test.ts`,
};

/**
 * Each fault: where (a file under apps/server/src), the exact text that must occur
 * there once, what replaces it, and the tests that claim the property it breaks.
 */
const FAULTS = [
  // Tenant isolation.
  {
    name: 'tenancy/session-list-ignores-org',
    file: 'repositories/session-repository.ts',
    find: 'f.scopedTo ? eq(sessions.organisationId, f.scopedTo) : undefined,',
    replace: 'undefined,',
    tests: [tests.orgs, tests.adminTenancy],
  },
  {
    name: 'tenancy/license-list-ignores-org',
    file: 'repositories/license-repository.ts',
    find: 'f.scopedTo ? eq(licenses.organisationId, f.scopedTo) : undefined,',
    replace: 'undefined,',
    tests: [tests.orgs, tests.adminTenancy],
  },
  {
    name: 'tenancy/license-load-ignores-org',
    file: 'services/license-service.ts',
    find: '(scope.organisationId && row.license.organisationId !== scope.organisationId)',
    replace: '(scope.organisationId && false)',
    tests: [tests.adminTenancy],
  },
  {
    name: 'tenancy/audit-query-ignores-org',
    file: 'repositories/audit-repository.ts',
    find: 'scope.organisationId ? eq(auditEvents.organisationId, scope.organisationId) : undefined,',
    replace: 'undefined,',
    tests: [tests.adminTenancy],
  },
  {
    name: 'tenancy/webhook-endpoints-ignore-org',
    file: 'repositories/webhook-endpoint-repository.ts',
    find: '(organisationId ? eq(webhookEndpoints.organisationId, organisationId) : undefined)',
    replace: '(organisationId ? undefined : undefined)',
    tests: [tests.webhookTenancy],
  },
  {
    name: 'tenancy/require-role-lets-any-member',
    file: 'identity/membership-service.ts',
    find: 'if (RANK[row.role] < RANK[least])',
    replace: 'if (RANK[row.role] < RANK.member)',
    tests: [tests.orgs, tests.webhookTenancy],
  },
  {
    name: 'tenancy/force-release-ignores-org',
    file: 'seats/sql-seat-store.ts',
    find: "if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' } as const;",
    replace: '',
    tests: [tests.orgs, tests.adminTenancy, tests.sqlStore],
  },
  {
    name: 'tenancy/redis-force-release-ignores-org',
    file: 'seats/redis-release.ts',
    find: "if (scope.organisationId && row.organisationId !== scope.organisationId) return { kind: 'not-found' };",
    replace: '',
    tests: [tests.redisStore],
  },
  {
    name: 'tenancy/member-sees-every-seat',
    file: 'routes/orgs/seats.ts',
    find: "...(role === 'member' ? { userId } : {})",
    replace: '...{}',
    tests: [tests.orgs],
  },
  // Seat counts.
  {
    name: 'seats/capacity-one-too-many',
    file: 'seats/seat-rules.ts',
    find: 'terms.seats + terms.overage;',
    replace: 'terms.seats + terms.overage + 1;',
    tests: [tests.scenarios, tests.sqlStore],
  },
  {
    name: 'seats/shared-seat-over-capacity',
    file: 'seats/seat-rules.ts',
    find: "if (s.mine) return s.used <= s.capacity ? 'shared' : 'refused';",
    replace: "if (s.mine) return 'shared';",
    tests: [tests.scenarios],
  },
  {
    name: 'seats/license-live-at-its-expiry',
    file: 'seats/seat-rules.ts',
    find: 'license.expiresAt.getTime() <= nowMs',
    replace: 'license.expiresAt.getTime() < nowMs',
    tests: [tests.sqlStore],
  },
  {
    name: 'seats/sql-counts-expired-leases',
    file: 'seats/sql-acquire.ts',
    find: 'const live = and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt), gt(sessions.expiresAt, now));',
    replace: 'const live = and(eq(sessions.licenseId, licenseId), isNull(sessions.endedAt));',
    tests: [tests.scenarios, tests.sqlStore],
  },
  {
    name: 'seats/sql-machine-basis-counts-sessions',
    file: 'seats/sql-acquire.ts',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source to find is a template literal.
    find: 'used: sql<number>`count(distinct ${sessions.basisKey})::int`,',
    replace: 'used: sql<number>`count(*)::int`,',
    tests: [tests.scenarios, tests.sqlStore],
  },
  {
    name: 'seats/sql-release-keeps-seat',
    file: 'seats/sql-seat-store.ts',
    find: '.set({ endedAt: now, endReason: reason })',
    replace: '.set({ endReason: reason })',
    tests: [tests.scenarios, tests.sqlStore],
  },
  {
    name: 'seats/sql-batched-heartbeat-keeps-old-expiry',
    file: 'seats/sql-heartbeat.ts',
    find: 'expires_at = v.expires_at',
    replace: 'expires_at = s.expires_at',
    tests: [tests.scenarios, tests.sqlStore],
  },
  {
    name: 'seats/sql-stored-token-loses-renew-at',
    file: 'seats/sql-seat-helpers.ts',
    find: 'lease_token_renew_at = v."renewAt"',
    replace: 'lease_token_renew_at = null',
    tests: [tests.sqlStore],
  },
  {
    name: 'seats/redis-acquire-over-capacity',
    file: 'redis/seat-scripts.ts',
    find: '(not mine and used >= capacity)',
    replace: '(not mine and used > capacity)',
    tests: [tests.scenarios, tests.redisStore],
  },
  {
    name: 'seats/redis-heartbeat-retakes-taken-seat',
    file: 'redis/seat-scripts.ts',
    find: '(#others == 0 and used >= capacity)',
    replace: '(#others == 0 and used > capacity)',
    tests: [tests.scenarios, tests.redisStore],
  },
  {
    name: 'seats/redis-license-live-at-its-expiry',
    file: 'redis/seat-scripts.ts',
    find: 'local idem, mode = ARGV[12], ARGV[18]\nif lic_exp > 0 and lic_exp <= now then',
    replace: 'local idem, mode = ARGV[12], ARGV[18]\nif lic_exp > 0 and lic_exp < now then',
    tests: [tests.redisStore],
  },
  {
    name: 'seats/redis-release-keeps-seat',
    file: 'redis/seat-scripts.ts',
    find: "remove_session(sid, s)\nreturn {'ENDED'",
    replace: "return {'ENDED'",
    tests: [tests.scenarios, tests.redisStore],
  },
  {
    name: 'seats/redis-session-outlives-retention',
    file: 'redis/seat-scripts.ts',
    find: 'if s and s.exp + retention >= now then return s end',
    replace: 'if s then return s end',
    tests: [tests.redisRetention],
  },
  {
    name: 'seats/redis-never-purges',
    file: 'redis/seat-scripts.ts',
    find: "for _, bk in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', edge, 'LIMIT', 0, limit)) do",
    replace: 'for _, bk in ipairs({}) do',
    tests: [tests.redisRetention],
  },
];

const occurrences = (text, part) => text.split(part).length - 1;

/** Faults whose text is not found exactly once: the list no longer matches the code. */
function staleFaults(faults) {
  const stale = [];
  for (const fault of faults) {
    const path = join(ROOT, SRC, fault.file);
    const missingTest = fault.tests.find((t) => !existsSync(join(ROOT, t)));
    if (!existsSync(path)) stale.push(`${fault.name}: ${SRC}${fault.file} does not exist`);
    else if (missingTest) stale.push(`${fault.name}: test ${missingTest} does not exist`);
    else {
      const text = readFileSync(path, 'utf8');
      const n = occurrences(text, fault.find);
      if (n !== 1) {
        const planted = n === 0 && fault.replace !== '' && text.includes(fault.replace) ? ' (is a fault still planted? see git diff)' : '';
        stale.push(`${fault.name}: text occurs ${n} times in ${SRC}${fault.file}, not once${planted}`);
      }
    }
  }
  return stale;
}

// The file a fault is planted in and its original text, so every way out puts it back.
let planted = null;
let running = null;

function restore() {
  if (!planted) return;
  writeFileSync(planted.path, planted.original);
  planted = null;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    restore();
    if (running) {
      try {
        process.kill(-running.pid, 'SIGTERM');
      } catch {}
    }
    console.error(`\nstopped by ${signal}; the source is restored`);
    process.exit(130);
  });
}
process.on('exit', restore);

/** Runs vitest on the given files; resolves with what the JSON report says. */
function runVitest(files) {
  const dir = mkdtempSync(join(tmpdir(), 'mutation-check-'));
  const report = join(dir, 'report.json');
  const args = [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--bail=1', '--reporter=json', `--outputFile=${report}`];
  return new Promise((resolve) => {
    // Its own process group, so a stop ends vitest's workers too.
    const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    running = child;
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, RUN_LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running = null;
      let result = null;
      try {
        result = JSON.parse(readFileSync(report, 'utf8'));
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      const failed = (result?.testResults ?? []).flatMap((file) =>
        (file.assertionResults ?? []).filter((a) => a.status === 'failed').map((a) => `${relative(TEST, relative(ROOT, file.name))}: ${a.fullName}`),
      );
      // A file that fails to load or a hook that throws fails the run without a failed test.
      const brokenFiles = (result?.testResults ?? []).filter(
        (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
      );
      resolve({ code, signal, passed: code === 0, failed, brokenFiles: brokenFiles.map((f) => relative(ROOT, f.name)), stderr });
    });
  });
}

const seconds = (startMs) => Math.round((Date.now() - startMs) / 1000);

/** What one vitest run says of a planted fault. */
function verdict(run) {
  if (run.failed.length > 0) return { outcome: 'caught', by: run.failed[0] };
  if (run.passed) return { outcome: 'SURVIVED', by: '' };
  if (run.signal) return { outcome: 'inconclusive', by: `stopped after ${RUN_LIMIT_MS / 60_000} min (${run.signal})` };
  // Failed without a failing assertion: the fault broke loading or a hook, not a claim.
  return { outcome: 'inconclusive', by: run.brokenFiles.length > 0 ? `broken run: ${run.brokenFiles.join(', ')}` : `vitest exit ${run.code}` };
}

/**
 * Plants one fault, runs its tests, restores the file. With `each`, every named test
 * file runs alone and must catch the fault by itself (slower; checks the list's claims).
 */
async function check(fault, each) {
  const path = join(ROOT, SRC, fault.file);
  const original = readFileSync(path, 'utf8');
  const start = Date.now();
  try {
    planted = { path, original };
    writeFileSync(
      path,
      original.replace(fault.find, () => fault.replace),
    );
    if (!each) return { ...verdict(await runVitest(fault.tests)), time: seconds(start) };
    const missed = [];
    let first = null;
    for (const file of fault.tests) {
      const v = verdict(await runVitest([file]));
      if (v.outcome === 'caught') first ??= v;
      else missed.push(`${relative(TEST, file)} (${v.outcome})`);
    }
    const time = seconds(start);
    if (missed.length === 0) return { ...first, time };
    return { outcome: missed.length === fault.tests.length ? 'SURVIVED' : 'missed by some', time, by: `missed by ${missed.join(', ')}` };
  } finally {
    restore();
  }
}

function printTable(rows) {
  const header = ['fault', 'caught', 'seconds', 'first failing test'];
  const cells = rows.map((r) => [r.name, r.outcome === 'caught' ? 'yes' : `NO (${r.outcome})`, String(r.time), r.by]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 3 ? v : v.padEnd(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
  for (const c of cells) console.log(line(c));
}

async function main() {
  const argv = process.argv.slice(2);
  const words = argv.filter((a) => !a.startsWith('--'));
  const selected = words.length === 0 ? FAULTS : FAULTS.filter((f) => words.some((w) => f.name.includes(w)));
  if (selected.length === 0) {
    console.error(`no fault's name contains ${words.join(' or ')}`);
    return 2;
  }
  const stale = staleFaults(selected);
  if (stale.length > 0) {
    console.error(`The fault list is stale; fix it in scripts/mutation-check.mjs:\n  ${stale.join('\n  ')}`);
    return 1;
  }
  const started = Date.now();
  if (!argv.includes('--no-baseline')) {
    const files = [...new Set(selected.flatMap((f) => f.tests))];
    console.log(`baseline: ${files.length} test files without any fault…`);
    const base = await runVitest(files);
    if (!base.passed) {
      console.error(`The tests fail without any fault (${base.failed[0] ?? base.brokenFiles[0] ?? `exit ${base.code}`}); fix them first.\n${base.stderr}`);
      return 1;
    }
    console.log(`baseline green in ${seconds(started)} s`);
  }
  const rows = [];
  for (const [i, fault] of selected.entries()) {
    process.stdout.write(`[${i + 1}/${selected.length}] ${fault.name}… `);
    const row = { name: fault.name, ...(await check(fault, argv.includes('--each'))) };
    console.log(`${row.outcome} (${row.time} s)`);
    rows.push(row);
  }
  printTable(rows);
  const bad = rows.filter((r) => r.outcome !== 'caught');
  console.log(`\n${rows.length - bad.length} of ${rows.length} faults caught in ${seconds(started)} s`);
  if (bad.length > 0) console.log(`not caught: ${bad.map((r) => r.name).join(', ')}`);
  return bad.length > 0 ? 1 : 0;
}

process.exitCode = await main();
