import { useState } from 'react';
import { ADMIN, api, qs, type Wire } from '../api.js';
import { useLoad, usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { ActionButton, ActionForm, Field, Loading, ShownOnce, text, when } from '../ui.js';
import { LiveSessions } from './LiveSessions.js';
import { UsageChart } from './UsageChart.js';
import { Waiters } from './Waiters.js';

type License = Wire<'license'>;

export function LicensePage({ id }: { id: string }) {
  const state = useLoad(() => api<License>('GET', `${ADMIN}/licenses/${id}`), id);
  const [key, setKey] = useState<string | null>(null);
  const billing = usePaged<Wire<'auditEvent'>>((cursor) => `${ADMIN}/licenses/${id}/billing${qs({ cursor, limit: 20 })}`, `billing:${id}`);
  const act = async (path: string, body?: unknown) => {
    await api('POST', `${ADMIN}/licenses/${id}/${path}`, body);
    state.reload();
  };
  return (
    <section>
      <h1>License {id}</h1>
      {key ? <ShownOnce label="New license key" value={key} onDone={() => setKey(null)} /> : null}
      <Loading state={state}>
        {(l) => (
          <>
            <dl className="facts">
              <dt>Status</dt>
              <dd data-testid="license-status">{l.status}</dd>
              <dt>Seats</dt>
              <dd>
                {l.seatsInUse} in use of {l.seats} (+{l.overage} overage), by {l.seatBasis}
              </dd>
              <dt>Entitlements</dt>
              <dd>{l.entitlements.join(', ') || '—'}</dd>
              <dt>Expires</dt>
              <dd>{when(l.expiresAt)}</dd>
              <dt>Key</dt>
              <dd>…{l.keyHint}</dd>
            </dl>
            <div className="actions">
              {l.status === 'active' ? <ActionButton label="Suspend" run={() => act('suspend')} /> : null}
              {l.status === 'suspended' ? <ActionButton label="Reinstate" run={() => act('reinstate')} /> : null}
              {l.status !== 'revoked' ? <ActionButton label="Revoke" danger run={() => act('revoke')} /> : null}
              <ActionButton label="Renew for a year" run={() => act('renew', { extendDays: 365 })} />
              <ActionButton
                label="Rotate key"
                run={async () => {
                  const made = await api<Wire<'createdLicense'>>('POST', `${ADMIN}/licenses/${id}/rotate-key`);
                  setKey(made.key);
                  state.reload();
                }}
              />
            </div>
            <ActionForm
              label="Save terms"
              onSubmit={async (d) => {
                const seats = text(d, 'seats');
                const expires = text(d, 'expiresAt');
                const ent = text(d, 'entitlements');
                await api('PATCH', `${ADMIN}/licenses/${id}`, {
                  seats: seats ? Number(seats) : null,
                  entitlements: ent === undefined ? null : ent.split(/[\s,]+/).filter(Boolean),
                  ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
                });
                state.reload();
              }}
            >
              <Field label="Seats (blank: the plan's)" name="seats" type="number" defaultValue={l.overrides.seats ?? ''} />
              <Field label="Entitlements (blank: the plan's)" name="entitlements" defaultValue={l.overrides.entitlements?.join(', ') ?? ''} />
              <Field label="Expires at" name="expiresAt" type="datetime-local" defaultValue={l.expiresAt ? l.expiresAt.slice(0, 16) : ''} />
            </ActionForm>
          </>
        )}
      </Loading>
      <LiveSessions streamUrl={`${ADMIN}/licenses/${id}/sessions/live`} releaseUrl={(sessionId) => `${ADMIN}/sessions/${sessionId}/release`} canRelease />
      <Waiters licenseId={id} />
      <UsageChart licenseId={id} />
      <h2>Billing history</h2>
      <PagedTable
        label="Billing history"
        list={billing}
        rowKey={(e) => e.id}
        empty="No billing event yet."
        columns={[
          { header: 'At', cell: (e) => when(e.at) },
          { header: 'Event', cell: (e) => e.action },
          { header: 'By', cell: (e) => e.actorId ?? e.actorType },
        ]}
      />
    </section>
  );
}
