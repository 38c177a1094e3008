import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { Link } from '../router.js';
import { ActionForm, Field, text, when } from '../ui.js';

type Organisation = Wire<'organisation'>;

export function Organisations() {
  const orgs = usePaged<Organisation>((cursor) => `${ADMIN}/organisations${qs({ cursor, limit: 25 })}`, 'orgs');
  const [selected, setSelected] = useState<Organisation | null>(null);
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
      <PagedTable
        label="Organisations"
        list={orgs}
        rowKey={(o) => o.id}
        columns={[
          { header: 'Name', cell: (o) => o.name },
          { header: 'ID', cell: (o) => <code>{o.id}</code> },
          { header: 'Created', cell: (o) => when(o.createdAt) },
          { header: 'Licenses', cell: (o) => <Link to={`/licenses?organisationId=${o.id}`}>Licenses of {o.name}</Link> },
          {
            header: 'Members',
            cell: (o) => (
              <button type="button" aria-pressed={selected?.id === o.id} onClick={() => setSelected(o)}>
                Members of {o.name}
              </button>
            ),
          },
        ]}
      />
      {selected ? (
        <Members
          key={selected.id}
          org={selected}
          onRenamed={(o) => {
            setSelected(o);
            orgs.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function Members({ org, onRenamed }: { org: Organisation; onRenamed: (o: Organisation) => void }) {
  const members = usePaged<Wire<'member'>>((cursor) => `${ADMIN}/organisations/${org.id}/members${qs({ cursor, limit: 25 })}`, org.id);
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members of {org.name}</h2>
      <ActionForm
        label="Rename organisation"
        keepValues
        onSubmit={async (d) => onRenamed(await api<Organisation>('PATCH', `${ADMIN}/organisations/${org.id}`, { name: text(d, 'name') }))}
      >
        <Field label="Organisation name" name="name" required defaultValue={org.name} />
      </ActionForm>
      <PagedTable
        label={`Members of ${org.name}`}
        list={members}
        rowKey={(m) => m.userId}
        empty="Nobody has joined yet."
        columns={[
          { header: 'Person', cell: (m) => m.name ?? m.userId },
          { header: 'E-mail', cell: (m) => m.email ?? '—' },
          { header: 'Role', cell: (m) => m.role },
          { header: 'Since', cell: (m) => when(m.since) },
        ]}
      />
    </section>
  );
}
