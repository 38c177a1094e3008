import { ADMIN, api, type Wire } from '../api.js';
import { useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { Loading } from '../ui.js';

export function Overview() {
  const state = useLoad(() => api<Wire<'overview'>>('GET', `${ADMIN}/overview`), 'overview');
  return (
    <section>
      <h1>Overview</h1>
      <Loading state={state}>
        {(o) => (
          <>
            <dl className="tiles">
              <div>
                <dt>Seats in use</dt>
                <dd data-testid="seats-in-use">
                  {o.seatsInUse} / {o.seatsSold}
                </dd>
              </div>
              <div>
                <dt>Active licenses</dt>
                <dd>{o.activeLicenses}</dd>
              </div>
              <div>
                <dt>Denials, last 24 h</dt>
                <dd>{o.denials24h}</dd>
              </div>
              <div>
                <dt>Expiries, last 24 h</dt>
                <dd>{o.expiries24h}</dd>
              </div>
            </dl>
            <h2>Near capacity</h2>
            {o.nearCapacity.length === 0 ? (
              <p className="muted">No license uses 80 % of its seats.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">License</th>
                    <th scope="col">In use</th>
                  </tr>
                </thead>
                <tbody>
                  {o.nearCapacity.map((l) => (
                    <tr key={l.licenseId}>
                      <td>
                        <Link to={`/licenses/${l.licenseId}`}>{l.licenseId}</Link>
                      </td>
                      <td>
                        {l.seatsInUse} / {l.seats}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}
