import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const RULES = fileURLToPath(new URL('../k8s/base/prometheusrule.yaml', import.meta.url));
const TESTS = fileURLToPath(new URL('alerts/leasehold.test.yaml', import.meta.url));
const promtool = spawnSync('promtool', ['--version']).status === 0;
// .ci/run installs Debian's prometheus package, which ships promtool.
if (!promtool) console.warn('SKIPPED promtool rule tests: promtool not on PATH (apt-get install prometheus)');

interface Rule {
  alert: string;
  expr: string;
}
const groups = parse(readFileSync(RULES, 'utf8')).spec.groups as { name: string; rules: Rule[] }[];
const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert));
const dir = mkdtempSync(join(tmpdir(), 'leasehold-promtool-'));

/** Runs promtool on the rules as the PrometheusRule carries them; returns its exit status and output. */
function promtoolTest(ruleGroups: unknown): { status: number | null; output: string } {
  writeFileSync(join(dir, 'rules.yml'), stringify({ groups: ruleGroups }));
  copyFileSync(TESTS, join(dir, 'leasehold.test.yaml'));
  const result = spawnSync('promtool', ['test', 'rules', join(dir, 'leasehold.test.yaml')], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!promtool)(`alert rules under promtool${promtool ? '' : ' (skipped: promtool not installed)'}`, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are valid Prometheus rules', () => {
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }));
    expect(execFileSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests, and every alert has a case in which it fires', () => {
    const run = promtoolTest(groups);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
    const cases = (parse(readFileSync(TESTS, 'utf8')).tests as { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[]).flatMap(
      (t) => t.alert_rule_test,
    );
    const firing = new Set(cases.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname));
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
  });

  it('fail when a rule cannot see the outage, so the tests can fail', () => {
    // The old rule: PostgreSQL errors counted by requests, which stop when every replica is unready.
    const broken = structuredClone(groups);
    const rule = broken.flatMap((g) => g.rules).find((r) => r.alert === 'LeaseholdDatabaseDown') as Rule;
    rule.expr = 'sum(rate(leasehold_db_errors_total{job="leasehold-server"}[5m])) > 0.5';
    const run = promtoolTest(broken);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/alertname: LeaseholdDatabaseDown/);
  });
});
