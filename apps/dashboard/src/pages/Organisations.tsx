import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { ActionForm, Field, Loading, Pager, text, when } from '../ui.js';

export function Organisations() {
  const paging = useCursor('orgs');
  const orgs = useLoad(() => api<Wire<'organisationPage'>>('GET', `${ADMIN}/organisations${qs({ cursor: paging.cursor })}`), `orgs:${paging.cursor}`);
  const [selected, setSelected] = useState<Wire<'organisation'> | null>(null);
  return (
    <section>
      <h1>Organisations</h1>
      <ActionForm
        label="Create organisation"
        onSubmit={async (d) => {
          await api('POST', `${ADMIN}/organisations`, { name: text(d, 'name') });
          orgs.reload();
        }}
      >
        <Field label="Name" name="name" required />
      </ActionForm>
      <Loading state={orgs} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">ID</th>
                  <th scope="col">Created</th>
                  <th scope="col">Licenses</th>
                  <th scope="col">Members</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((o) => (
                  <tr key={o.id}>
                    <td>{o.name}</td>
                    <td>
                      <code>{o.id}</code>
                    </td>
                    <td>{when(o.createdAt)}</td>
                    <td>
                      <Link to={`/licenses?organisationId=${o.id}`}>Licenses of {o.name}</Link>
                    </td>
                    <td>
                      <button type="button" aria-pressed={selected?.id === o.id} onClick={() => setSelected(o)}>
                        Members of {o.name}
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
      {selected ? <Members org={selected} /> : null}
    </section>
  );
}

function Members({ org }: { org: Wire<'organisation'> }) {
  const members = useLoad(() => api<Wire<'memberList'>>('GET', `${ADMIN}/organisations/${org.id}/members`), org.id);
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members of {org.name}</h2>
      <Loading state={members} empty={(m) => m.data.length === 0}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name ?? m.userId}</td>
                  <td>{m.email ?? '—'}</td>
                  <td>{m.role}</td>
                  <td>{when(m.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </section>
  );
}
