import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { ActionForm, Field, text } from '../ui.js';
import { PlanEditor, PlanFields, planTerms } from './PlanEditor.js';

type Product = Wire<'product'>;
type Plan = Wire<'plan'>;

/** Products and their plans: create, rename, change every term. */
export function Catalog() {
  const products = usePaged<Product>((cursor) => `${ADMIN}/products${qs({ cursor, limit: 25 })}`, 'products');
  const [selected, setSelected] = useState<Product | null>(null);
  return (
    <section>
      <h1>Products and plans</h1>
      <ActionForm
        label="Create product"
        onSubmit={async (d) => {
          await api('POST', `${ADMIN}/products`, { code: text(d, 'code'), name: text(d, 'name') });
          products.reload();
        }}
      >
        <Field label="Code" name="code" required placeholder="coditect" />
        <Field label="Name" name="name" required />
      </ActionForm>
      <PagedTable
        label="Products"
        list={products}
        rowKey={(p) => p.id}
        columns={[
          { header: 'Code', cell: (p) => p.code },
          { header: 'Name', cell: (p) => p.name },
          {
            header: 'Plans',
            cell: (p) => (
              <button type="button" onClick={() => setSelected(p)} aria-pressed={selected?.id === p.id}>
                Plans of {p.code}
              </button>
            ),
          },
        ]}
      />
      {selected ? (
        <Plans
          key={selected.id}
          product={selected}
          onRenamed={(p) => {
            setSelected(p);
            products.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function Plans({ product, onRenamed }: { product: Product; onRenamed: (p: Product) => void }) {
  const plans = usePaged<Plan>((cursor) => `${ADMIN}/plans${qs({ productId: product.id, cursor, limit: 25 })}`, `plans:${product.id}`);
  const [editing, setEditing] = useState<Plan | null>(null);
  return (
    <section aria-labelledby="plans-title">
      <h2 id="plans-title">Plans of {product.name}</h2>
      <ActionForm
        label="Rename product"
        onSubmit={async (d) => onRenamed(await api<Product>('PATCH', `${ADMIN}/products/${product.id}`, { name: text(d, 'name') }))}
      >
        <Field label="New name" name="name" required defaultValue={product.name} />
      </ActionForm>
      <details>
        <summary>Create a plan</summary>
        <ActionForm
          label="Create plan"
          onSubmit={async (d) => {
            await api('POST', `${ADMIN}/plans`, { productId: product.id, code: text(d, 'code'), ...planTerms(d) });
            plans.reload();
          }}
        >
          <Field label="Plan code" name="code" required placeholder="team" />
          <PlanFields />
        </ActionForm>
      </details>
      <PagedTable
        label={`Plans of ${product.code}`}
        list={plans}
        rowKey={(p) => p.id}
        empty="No plan yet: create one to issue licenses."
        columns={[
          { header: 'Code', cell: (p) => p.code },
          { header: 'Name', cell: (p) => p.name },
          { header: 'Seats', cell: (p) => (p.overage ? `${p.seats} (+${p.overage})` : p.seats) },
          { header: 'Basis', cell: (p) => p.seatBasis },
          { header: 'Lease / heartbeat', cell: (p) => `${p.leaseTtlSeconds} s / ${p.heartbeatIntervalSeconds} s` },
          { header: 'Entitlements', cell: (p) => p.entitlements.join(', ') || '—' },
          { header: 'Duration', cell: (p) => (p.durationDays ? `${p.durationDays} days` : 'no expiry') },
          {
            header: 'Edit',
            cell: (p) => (
              <button type="button" aria-pressed={editing?.id === p.id} onClick={() => setEditing(p)}>
                Edit plan {p.code}
              </button>
            ),
          },
        ]}
      />
      {editing ? (
        <PlanEditor
          key={editing.id}
          plan={editing}
          onSaved={(p) => {
            setEditing(p);
            plans.reload();
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </section>
  );
}
