import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { Loading } from '../ui.js';

const ORDERS = { denials: 'Most denials (needs more seats)', utilisation: 'Least used (pays for unused seats)' } as const;

/** Who needs more seats, who pays for seats never used: the last 30 days across licenses. */
export function Usage() {
  const [order, setOrder] = useState<keyof typeof ORDERS>('denials');
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  const range = { from: new Date(to.getTime() - 30 * 86_400_000).toISOString(), to: to.toISOString(), order };
  const summary = useLoad(() => api<Wire<'usageSummary'>>('GET', `${ADMIN}/usage${qs({ ...range, limit: 50 })}`), order);
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
        <a className="button" href={`${ADMIN}/usage${qs({ ...range, format: 'csv', limit: 500 })}`} download>
          CSV
        </a>
      </fieldset>
      <Loading state={summary} empty={(s) => s.data.length === 0}>
        {(s) => (
          <table>
            <thead>
              <tr>
                <th scope="col">License</th>
                <th scope="col">Seats</th>
                <th scope="col">Peak</th>
                <th scope="col">Average</th>
                <th scope="col">Utilisation</th>
                <th scope="col">Denials</th>
              </tr>
            </thead>
            <tbody>
              {s.data.map((l) => (
                <tr key={l.licenseId}>
                  <td>
                    <Link to={`/licenses/${l.licenseId}`}>{l.licenseId}</Link>
                  </td>
                  <td>{l.seats}</td>
                  <td>{l.peak}</td>
                  <td>{l.average.toFixed(2)}</td>
                  <td>{Math.round(l.utilisation * 100)} %</td>
                  <td>{l.denials}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </section>
  );
}
