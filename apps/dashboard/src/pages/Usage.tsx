import { useState } from 'react';
import { ADMIN, qs, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { Link } from '../router.js';

const ORDERS = { denials: 'Most denials (needs more seats)', utilisation: 'Least used (pays for unused seats)' } as const;

type Row = Wire<'usageSummary'>['data'][number];

/** The last 30 days, to the next full hour. */
function lastThirtyDays() {
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  return { from: new Date(to.getTime() - 30 * 86_400_000).toISOString(), to: to.toISOString() };
}

/** Who needs more seats, who pays for seats never used: the last 30 days across licenses. */
export function Usage() {
  const [order, setOrder] = useState<keyof typeof ORDERS>('denials');
  const [range] = useState(lastThirtyDays);
  const summary = usePaged<Row>((cursor) => `${ADMIN}/usage${qs({ ...range, order, cursor, limit: 50 })}`, order);
  return (
    <section>
      <h1>Seat usage, last 30 days</h1>
      <fieldset className="actions plain">
        <legend className="visually-hidden">Order</legend>
        {(Object.keys(ORDERS) as Array<keyof typeof ORDERS>).map((o) => (
          <button key={o} type="button" aria-pressed={o === order} onClick={() => setOrder(o)}>
            {ORDERS[o]}
          </button>
        ))}
        <a className="button" href={`${ADMIN}/usage${qs({ ...range, order, format: 'csv', limit: 500 })}`} download>
          CSV
        </a>
      </fieldset>
      <PagedTable
        label="Seat usage by license"
        list={summary}
        rowKey={(l) => l.licenseId}
        empty="No active license."
        columns={[
          { header: 'License', cell: (l) => <Link to={`/licenses/${l.licenseId}`}>{l.licenseId}</Link> },
          { header: 'Seats', cell: (l) => l.seats },
          { header: 'Peak', cell: (l) => l.peak },
          { header: 'Average', cell: (l) => l.average.toFixed(2) },
          { header: 'Utilisation', cell: (l) => `${Math.round(l.utilisation * 100)} %` },
          { header: 'Denials', cell: (l) => l.denials },
        ]}
      />
    </section>
  );
}
