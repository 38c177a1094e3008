import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricNames, SERVER_METRICS } from './promql.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../grafana/leasehold.json', import.meta.url), 'utf8'));
const panels = dashboard.panels as Panel[];
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe('Grafana dashboard', () => {
  it('is importable: uid, title, unique panel ids, panels inside the 24-column grid without overlap', () => {
    expect(dashboard.uid).toBe('leasehold-server');
    expect(dashboard.title).toBeTruthy();
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const { title, gridPos } of panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('queries only metrics the server exports', () => {
    for (const { panel, expr } of exprs) {
      for (const name of metricNames(expr)) expect(SERVER_METRICS, `${panel} uses ${name}`).toContain(name);
    }
  });

  it('fills its variables from metrics the server exports', () => {
    const queries = (dashboard.templating.list as { type: string; definition?: string }[]).filter((v) => v.type === 'query');
    expect(queries.length).toBeGreaterThan(0);
    for (const { definition } of queries) {
      const metric = /^label_values\((\w+)\{/.exec(definition ?? '')?.[1];
      expect(SERVER_METRICS, definition).toContain(metric);
    }
  });

  it('shows seats in use vs total per license, denials, heartbeats, latency percentiles and errors', () => {
    const all = exprs.map((e) => e.expr).join('\n');
    expect(all).toMatch(/max by \(license_id\) \(leasehold_seats_in_use/);
    expect(all).toMatch(/max by \(license_id\) \(leasehold_seats_total/);
    expect(all).toMatch(/leasehold_seat_denials_total/);
    expect(all).toMatch(/rate\(leasehold_heartbeats_total/);
    for (const q of ['0.5', '0.95', '0.99']) expect(all).toContain(`histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket`);
    expect(all).toMatch(/status_code=~"5\.\."/);
    expect(all).toMatch(/leasehold_db_errors_total/);
    expect(all).toMatch(/leasehold_redis_errors_total/);
  });

  it('catches an invented metric, so the check can fail', () => {
    expect(metricNames('sum(rate(leasehold_seat_denial_total{job="x"}[5m])) / max by (le) (up)')).toEqual(['leasehold_seat_denial_total', 'up']);
  });
});
