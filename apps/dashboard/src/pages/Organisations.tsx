import { ADMIN, api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { ActionForm, Field, Loading, Pager, text, when } from '../ui.js';

export function Organisations() {
  const paging = useCursor('orgs');
  const orgs = useLoad(() => api<Wire<'organisationPage'>>('GET', `${ADMIN}/organisations${qs({ cursor: paging.cursor })}`), `orgs:${paging.cursor}`);
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
