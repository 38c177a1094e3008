import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { ActionButton, ActionForm, Field, Loading, Pager, ShownOnce, text, when } from '../ui.js';

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
  const paging = useCursor('keys');
  const keys = useLoad(() => api<Wire<'apiKeyPage'>>('GET', `${ADMIN}/api-keys${qs({ cursor: paging.cursor })}`), `keys:${paging.cursor}`);
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
      <Loading state={keys} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((k) => (
                  <tr key={k.id}>
                    <td>
                      {k.name} <span className="muted">…{k.hint}</span>
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{when(k.lastUsedAt)}</td>
                    <td>
                      {k.revokedAt ? (
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
                      )}
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
