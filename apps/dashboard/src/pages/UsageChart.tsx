import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useLoad } from '../hooks.js';
import { Loading } from '../ui.js';

type Usage = Wire<'licenseUsage'>;
const RANGES = { '24 h': { days: 1, granularity: 'hour' }, '30 days': { days: 30, granularity: 'day' }, '1 year': { days: 365, granularity: 'day' } } as const;
type RangeName = keyof typeof RANGES;

/** A license's peak and average seats per bucket against the seats sold, with denials, drawn as SVG. */
export function UsageChart({ licenseId }: { licenseId: string }) {
  const [range, setRange] = useState<RangeName>('24 h');
  const { days, granularity } = RANGES[range];
  const query = () => {
    const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    return { from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString(), granularity };
  };
  const usage = useLoad(() => api<Usage>('GET', `${ADMIN}/licenses/${licenseId}/usage${qs(query())}`), `${licenseId}:${range}`);
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Seat usage</h2>
      <fieldset className="actions plain">
        <legend className="visually-hidden">Range</legend>
        {(Object.keys(RANGES) as RangeName[]).map((r) => (
          <button key={r} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
            {r}
          </button>
        ))}
        <a className="button" href={`${ADMIN}/licenses/${licenseId}/usage${qs({ ...query(), format: 'csv' })}`} download>
          CSV
        </a>
      </fieldset>
      <Loading state={usage}>{(u) => <Chart usage={u} />}</Loading>
    </section>
  );
}

function Chart({ usage }: { usage: Usage }) {
  const { buckets, seats } = usage;
  const top = Math.max(seats, ...buckets.map((b) => Math.max(b.peak, b.seats)), 1);
  const width = 600;
  const height = 160;
  const w = width / Math.max(buckets.length, 1);
  const y = (v: number) => height - (v / top) * height;
  const peakMax = Math.max(0, ...buckets.map((b) => b.peak));
  const denials = buckets.reduce((s, b) => s + b.denials, 0);
  const average = buckets.length ? buckets.reduce((s, b) => s + b.average, 0) / buckets.length : 0;
  const summary = `Peak ${peakMax} of ${seats} seats, average ${average.toFixed(2)}, ${denials} denials`;
  return (
    <figure>
      <svg className="chart" viewBox={`0 0 ${width} ${height + 4}`} role="img" aria-label={summary}>
        {/* The seats sold as they stood in each bucket: a step where they changed. */}
        <polyline
          points={buckets.map((b, i) => `${i * w},${y(b.seats)} ${(i + 1) * w},${y(b.seats)}`).join(' ')}
          fill="none"
          stroke="#a40e26"
          strokeDasharray="4 3"
        />
        {buckets.map((b, i) => (
          <g key={b.start}>
            <rect x={i * w + 0.5} width={Math.max(w - 1, 0.5)} y={y(b.peak)} height={height - y(b.peak)} fill="#9ecbf0" />
            <rect x={i * w + 0.5} width={Math.max(w - 1, 0.5)} y={y(b.average)} height={height - y(b.average)} fill="#12344d" />
            {b.denials > 0 ? <circle cx={i * w + w / 2} cy={6} r={3} fill="#a40e26" /> : null}
          </g>
        ))}
      </svg>
      <figcaption className="muted">{summary}. Light: peak; dark: average; dashed: seats sold; dots: denials.</figcaption>
    </figure>
  );
}
