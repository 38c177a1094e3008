import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { Link, navigate } from '../router.js';
import { ActionForm, Field, Loading, Pager, Select, ShownOnce, text, when } from '../ui.js';

const STATUSES = ['', 'active', 'suspended', 'expired', 'revoked'] as const;

function initialFilter() {
  const p = new URLSearchParams(window.location.search);
  return { status: p.get('status') ?? '', productId: p.get('productId') ?? '', organisationId: p.get('organisationId') ?? '' };
}

export function Licenses() {
  const [filter, setFilter] = useState(initialFilter);
  const key = JSON.stringify(filter);
  const paging = useCursor(key);
  const licenses = useLoad(
    () => api<Wire<'licensePage'>>('GET', `${ADMIN}/licenses${qs({ ...filter, cursor: paging.cursor, limit: 25 })}`),
    `${key}:${paging.cursor}`,
  );
  const choices = useLoad(
    () =>
      Promise.all([
        api<Wire<'organisationPage'>>('GET', `${ADMIN}/organisations?limit=500`),
        api<Wire<'planPage'>>('GET', `${ADMIN}/plans?limit=500`),
        api<Wire<'productPage'>>('GET', `${ADMIN}/products?limit=500`),
      ]),
    'choices',
  );
  const [created, setCreated] = useState<Wire<'createdLicense'> | null>(null);
  const orgs = choices.data?.[0].data ?? [];
  const plans = choices.data?.[1].data ?? [];
  const products = choices.data?.[2].data ?? [];
  return (
    <section>
      <h1>Licenses</h1>
      {created ? <ShownOnce label={`License key of ${created.id}`} value={created.key} onDone={() => setCreated(null)} /> : null}
      <details>
        <summary>Issue a license</summary>
        <ActionForm
          label="Create license"
          onSubmit={async (d) => {
            const seats = text(d, 'seats');
            const made = await api<Wire<'createdLicense'>>('POST', `${ADMIN}/licenses`, {
              organisationId: text(d, 'organisationId'),
              planId: text(d, 'planId'),
              ...(seats ? { seats: Number(seats) } : {}),
            });
            setCreated(made);
            licenses.reload();
          }}
        >
          <Select label="Organisation" name="organisationId" options={orgs.map((o) => [o.id, o.name])} />
          <Select label="Plan" name="planId" options={plans.map((p) => [p.id, `${p.name} (${p.code}, ${p.seats} seats)`])} />
          <Field label="Seats (blank: the plan's)" name="seats" type="number" />
        </ActionForm>
      </details>
      <form
        className="filters"
        aria-label="Find a license"
        onSubmit={(e) => {
          e.preventDefault();
          const d = new FormData(e.currentTarget);
          const id = text(d, 'id');
          if (id) return navigate(`/licenses/${id}`);
          setFilter({ status: text(d, 'status') ?? '', productId: text(d, 'productId') ?? '', organisationId: text(d, 'organisationId') ?? '' });
        }}
      >
        <Field label="License ID" name="id" placeholder="lic_…" />
        <Select label="Status" name="status" defaultValue={filter.status} options={STATUSES.map((s) => [s, s || 'any'])} />
        <Select
          label="Product"
          name="productId"
          defaultValue={filter.productId}
          options={[['', 'any'], ...products.map((p): [string, string] => [p.id, p.name])]}
        />
        <Select
          label="Organisation"
          name="organisationId"
          defaultValue={filter.organisationId}
          options={[['', 'any'], ...orgs.map((o): [string, string] => [o.id, o.name])]}
        />
        <button type="submit">Search</button>
      </form>
      <Loading state={licenses} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">License</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">Status</th>
                  <th scope="col">Seats</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((l) => (
                  <tr key={l.id}>
                    <td>
                      <Link to={`/licenses/${l.id}`}>{l.id}</Link> <span className="muted">…{l.keyHint}</span>
                    </td>
                    <td>{orgs.find((o) => o.id === l.organisationId)?.name ?? l.organisationId}</td>
                    <td>
                      <span className={`status status-${l.status}`} data-testid={`status-${l.id}`}>
                        {l.status}
                      </span>
                    </td>
                    <td>
                      {l.seatsInUse} / {l.seats}
                    </td>
                    <td>{when(l.expiresAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={paging.page} nextCursor={page.nextCursor} onNext={paging.next} onPrevious={paging.previous} />
          </>
        )}
      </Loading>
    </section>
  );
}
