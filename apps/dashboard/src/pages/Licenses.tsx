import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useLoad, usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { Link, navigate } from '../router.js';
import { ActionForm, Field, Select, ShownOnce, text, when } from '../ui.js';

const STATUSES = ['', 'active', 'suspended', 'expired', 'revoked'] as const;

function initialFilter() {
  const p = new URLSearchParams(window.location.search);
  return { status: p.get('status') ?? '', productId: p.get('productId') ?? '', organisationId: p.get('organisationId') ?? '' };
}

export function Licenses() {
  const [filter, setFilter] = useState(initialFilter);
  const key = JSON.stringify(filter);
  const licenses = usePaged<Wire<'license'>>((cursor) => `${ADMIN}/licenses${qs({ ...filter, cursor, limit: 25 })}`, key);
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
      <PagedTable
        label="Licenses"
        list={licenses}
        rowKey={(l) => l.id}
        empty="No license matches."
        columns={[
          {
            header: 'License',
            cell: (l) => (
              <>
                <Link to={`/licenses/${l.id}`}>{l.id}</Link> <span className="muted">…{l.keyHint}</span>
              </>
            ),
          },
          { header: 'Organisation', cell: (l) => orgs.find((o) => o.id === l.organisationId)?.name ?? l.organisationId },
          {
            header: 'Status',
            cell: (l) => (
              <span className={`status status-${l.status}`} data-testid={`status-${l.id}`}>
                {l.status}
              </span>
            ),
          },
          { header: 'Seats', cell: (l) => `${l.seatsInUse} / ${l.seats}` },
          { header: 'Expires', cell: (l) => when(l.expiresAt) },
        ]}
      />
    </section>
  );
}
