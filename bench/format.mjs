// How BENCHMARKS.md writes numbers: whole numbers with thousands separators, latencies, bytes.
export const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-GB') : 'n/a');
export const ms = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a');
export const bytes = (x) => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-GB')} B` : 'n/a');
