/** Metric names the server exports (prom-client), plus the default process metrics dashboards use. */
export const SERVER_METRICS = new Set([
  'http_request_duration_seconds_bucket',
  'http_request_duration_seconds_count',
  'http_request_duration_seconds_sum',
  'leasehold_seats_in_use',
  'leasehold_seats_total',
  'leasehold_seat_grants_total',
  'leasehold_seat_denials_total',
  'leasehold_sessions_expired_total',
  'leasehold_heartbeats_total',
  'leasehold_db_errors_total',
  'leasehold_dependency_up',
  'leasehold_signing_errors_total',
  'leasehold_gauges_refreshed_timestamp_seconds',
  'leasehold_redis_errors_total',
  'leasehold_redis_command_duration_seconds_bucket',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
]);

const PROMQL_WORDS = new Set([
  'max',
  'min',
  'sum',
  'avg',
  'by',
  'without',
  'rate',
  'increase',
  'and',
  'or',
  'unless',
  'offset',
  'histogram_quantile',
  'clamp_min',
  'time',
  'le',
  'license_id',
  'namespace',
  'route',
  'code',
  'status_code',
  'dependency',
  'pod',
  'signer',
]);

/**
 * The metric names a PromQL expression reads: identifiers followed by a
 * selector, a range, an operator or the end, once strings, label matchers,
 * ranges, Grafana variables and keywords are set aside. Good enough to catch a
 * misspelt or invented metric, which is what it is for.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\$\w+/g, '');
  const identifiers = bare.match(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[(]|\s*(>|<|=|\)|$|\/|\*|,|\s+and\b|\s*\n))/g) ?? [];
  return [...new Set(identifiers.filter((id) => !PROMQL_WORDS.has(id)))];
}
