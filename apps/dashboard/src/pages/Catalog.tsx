import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { ActionForm, Field, Loading, Pager, Select, text } from '../ui.js';

type Product = Wire<'product'>;

/** Products and their plans: create, rename, change terms. */
export function Catalog() {
  const paging = useCursor('products');
  const products = useLoad(() => api<Wire<'productPage'>>('GET', `${ADMIN}/products${qs({ cursor: paging.cursor })}`), `products:${paging.cursor}`);
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
      <Loading state={products} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Plans</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((p) => (
                  <tr key={p.id}>
                    <td>{p.code}</td>
                    <td>{p.name}</td>
                    <td>
                      <button type="button" onClick={() => setSelected(p)} aria-pressed={selected?.id === p.id}>
                        Plans of {p.code}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={paging.page} nextCursor={page.nextCursor} onNext={paging.next} onPrevious={paging.previous} />
          </>
        )}
      </Loading>
      {selected ? <Plans product={selected} onRenamed={products.reload} /> : null}
    </section>
  );
}

function Plans({ product, onRenamed }: { product: Product; onRenamed: () => void }) {
  const paging = useCursor(product.id);
  const plans = useLoad(
    () => api<Wire<'planPage'>>('GET', `${ADMIN}/plans${qs({ productId: product.id, cursor: paging.cursor })}`),
    `plans:${product.id}:${paging.cursor}`,
  );
  return (
    <section aria-labelledby="plans-title">
      <h2 id="plans-title">Plans of {product.name}</h2>
      <ActionForm
        label="Rename product"
        onSubmit={async (d) => {
          await api('PATCH', `${ADMIN}/products/${product.id}`, { name: text(d, 'name') });
          onRenamed();
        }}
      >
        <Field label="New name" name="name" required defaultValue={product.name} />
      </ActionForm>
      <ActionForm
        label="Create plan"
        onSubmit={async (d) => {
          await api('POST', `${ADMIN}/plans`, {
            productId: product.id,
            code: text(d, 'code'),
            name: text(d, 'name'),
            seats: Number(text(d, 'seats') ?? 1),
            seatBasis: text(d, 'seatBasis'),
            entitlements: (text(d, 'entitlements') ?? '').split(/[\s,]+/).filter(Boolean),
            ...(text(d, 'durationDays') ? { durationDays: Number(text(d, 'durationDays')) } : {}),
          });
          plans.reload();
        }}
      >
        <Field label="Plan code" name="code" required placeholder="team" />
        <Field label="Plan name" name="name" required />
        <Field label="Seats" name="seats" type="number" defaultValue={5} required />
        <Select
          label="Seat basis"
          name="seatBasis"
          options={[
            ['machine', 'machine'],
            ['user', 'user'],
            ['session', 'session'],
          ]}
        />
        <Field label="Entitlements" name="entitlements" placeholder="export, pro" />
        <Field label="Duration (days)" name="durationDays" type="number" />
      </ActionForm>
      <Loading state={plans} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Seats</th>
                  <th scope="col">Basis</th>
                  <th scope="col">Entitlements</th>
                  <th scope="col">Change seats</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((p) => (
                  <tr key={p.id}>
                    <td>{p.code}</td>
                    <td>{p.name}</td>
                    <td>{p.seats}</td>
                    <td>{p.seatBasis}</td>
                    <td>{p.entitlements.join(', ') || '—'}</td>
                    <td>
                      <ActionForm
                        label="Save"
                        onSubmit={async (d) => {
                          await api('PATCH', `${ADMIN}/plans/${p.id}`, { seats: Number(text(d, 'seats')) });
                          plans.reload();
                        }}
                      >
                        <Field label={`Seats of ${p.code}`} name="seats" type="number" defaultValue={p.seats} required />
                      </ActionForm>
                    </td>
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
