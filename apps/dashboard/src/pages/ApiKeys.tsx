import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { ActionButton, ActionForm, Field, ShownOnce, text, when } from '../ui.js';

const SCOPES = [
  'products:read',
  'products:write',
  'plans:read',
  'plans:write',
  'organisations:read',
  'organisations:write',
  'licenses:read',
  'licenses:write',
  'sessions:read',
  'sessions:write',
  'audit:read',
  'api-keys:write',
  'webhooks:read',
  'webhooks:write',
  '*',
] as const satisfies ReadonlyArray<Wire<'apiKey'>['scopes'][number]>;

export function ApiKeys() {
  const keys = usePaged<Wire<'apiKey'>>((cursor) => `${ADMIN}/api-keys${qs({ cursor, limit: 25 })}`, 'keys');
  const [created, setCreated] = useState<Wire<'createdApiKey'> | null>(null);
  return (
    <section>
      <h1>API keys</h1>
      {created ? <ShownOnce label={`Secret of ${created.name}`} value={created.secret} onDone={() => setCreated(null)} /> : null}
      <ActionForm
        label="Create API key"
        onSubmit={async (d) => {
          const made = await api<Wire<'createdApiKey'>>('POST', `${ADMIN}/api-keys`, {
            name: text(d, 'name'),
            scopes: d.getAll('scopes'),
            organisationId: text(d, 'organisationId') ?? null,
          });
          setCreated(made);
          keys.reload();
        }}
      >
        <Field label="Name" name="name" required />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" name="scopes" value={s} /> {s === '*' ? 'everything (*)' : s}
            </label>
          ))}
        </fieldset>
        <Field label="Bound to organisation (optional)" name="organisationId" placeholder="org_…" />
      </ActionForm>
      <PagedTable
        label="API keys"
        list={keys}
        rowKey={(k) => k.id}
        columns={[
          {
            header: 'Name',
            cell: (k) => (
              <>
                {k.name} <span className="muted">…{k.hint}</span>
              </>
            ),
          },
          { header: 'Scopes', cell: (k) => k.scopes.join(', ') },
          { header: 'Last used', cell: (k) => when(k.lastUsedAt) },
          {
            header: 'State',
            cell: (k) =>
              k.revokedAt ? (
                `revoked ${when(k.revokedAt)}`
              ) : (
                <ActionButton
                  label={`Revoke ${k.name}`}
                  danger
                  run={async () => {
                    await api('POST', `${ADMIN}/api-keys/${k.id}/revoke`);
                    keys.reload();
                  }}
                />
              ),
          },
        ]}
      />
    </section>
  );
}
