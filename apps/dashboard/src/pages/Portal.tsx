import { useEffect, useState } from 'react';
import { api, qs, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { Link } from '../router.js';
import { ActionButton, ActionForm, ErrorBox, Select, ShownOnce, text, when } from '../ui.js';

type Me = Wire<'me'>;
const ORGS = '/api/v1/orgs';

/** The customer portal: a person's organisations, as they may see them. */
export function Portal({ me, orgId }: { me: Me; orgId: string | undefined }) {
  const membership = me.memberships.find((m) => m.organisationId === orgId) ?? (orgId ? undefined : me.memberships[0]);
  if (me.memberships.length === 0) return <p>You belong to no organisation yet. Ask its owner for an invitation.</p>;
  if (!membership) {
    return (
      <section>
        <h1>Not found</h1>
        <p role="alert" data-testid="not-found">
          No organisation {orgId} of yours.
        </p>
      </section>
    );
  }
  return (
    <section>
      <nav aria-label="Your organisations" className="tabs">
        {me.memberships.map((m) => (
          <Link key={m.organisationId} to={`/portal/${m.organisationId}`}>
            {m.organisationName}
          </Link>
        ))}
      </nav>
      <h1>{membership.organisationName}</h1>
      <p className="muted">You are {membership.role}.</p>
      <OrgView orgId={membership.organisationId} role={membership.role} userId={me.user.id} />
    </section>
  );
}

function OrgView({ orgId, role, userId }: { orgId: string; role: Wire<'role'>; userId: string }) {
  const manager = role !== 'member';
  const licenses = usePaged<Wire<'license'>>((cursor) => `${ORGS}/${orgId}/licenses${qs({ cursor, limit: 25 })}`, `licenses:${orgId}`);
  // The server sends a member only their own seats.
  const sessions = usePaged<Wire<'session'>>((cursor) => `${ORGS}/${orgId}/sessions${qs({ cursor, limit: 50 })}`, `sessions:${orgId}`);
  const reloadSessions = sessions.reload;
  useEffect(() => {
    const timer = setInterval(reloadSessions, 2000);
    return () => clearInterval(timer);
  }, [reloadSessions]);
  const [billingError, setBillingError] = useState<unknown>(null);
  return (
    <>
      <h2>Licenses</h2>
      <PagedTable
        label="Licenses"
        list={licenses}
        rowKey={(l) => l.id}
        empty="This organisation has no license yet."
        columns={[
          { header: 'License', cell: (l) => l.id },
          { header: 'Status', cell: (l) => l.status },
          { header: 'Seats', cell: (l) => `${l.seatsInUse} / ${l.seats}` },
          { header: 'Expires', cell: (l) => when(l.expiresAt) },
        ]}
      />
      <h2>{manager ? 'Who holds the seats' : 'Your seats'}</h2>
      <PagedTable
        label={manager ? 'Seats held' : 'Your seats'}
        list={sessions}
        rowKey={(s) => s.id}
        empty="No seat is held."
        columns={[
          { header: 'Host', cell: (s) => s.hostname ?? '—' },
          { header: 'User', cell: (s) => s.userEmail ?? s.userId ?? '—' },
          { header: 'License', cell: (s) => s.licenseId },
          { header: 'Since', cell: (s) => when(s.startedAt) },
          { header: 'Last heartbeat', cell: (s) => when(s.lastHeartbeatAt) },
          ...(manager
            ? [
                {
                  header: 'Seat',
                  cell: (s: Wire<'session'>) => (
                    <ActionButton
                      label={`Free seat of ${s.hostname ?? s.id}`}
                      danger
                      run={async () => {
                        await api('POST', `${ORGS}/${orgId}/sessions/${s.id}/release`);
                        sessions.reload();
                      }}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
      {manager ? <Members orgId={orgId} role={role} userId={userId} /> : null}
      {manager ? (
        <>
          <h2>Billing</h2>
          <button
            type="button"
            onClick={async () => {
              setBillingError(null);
              try {
                const { url } = await api<{ url: string }>('POST', `${ORGS}/${orgId}/billing/portal`);
                window.location.assign(url);
              } catch (error) {
                setBillingError(error);
              }
            }}
          >
            Open the billing portal
          </button>
          <ErrorBox error={billingError} />
        </>
      ) : null}
    </>
  );
}

function Members({ orgId, role, userId }: { orgId: string; role: Wire<'role'>; userId: string }) {
  const members = usePaged<Wire<'member'>>((cursor) => `${ORGS}/${orgId}/members${qs({ cursor, limit: 25 })}`, `members:${orgId}`);
  const [invitation, setInvitation] = useState<string | null>(null);
  return (
    <>
      <h2>Members</h2>
      {invitation ? <ShownOnce label="Invitation link" value={invitation} onDone={() => setInvitation(null)} /> : null}
      <ActionForm
        label="Invite"
        onSubmit={async (d) => {
          const email = text(d, 'email');
          const made = await api<Wire<'createdInvitation'>>('POST', `${ORGS}/${orgId}/invitations`, { role: text(d, 'role'), ...(email ? { email } : {}) });
          setInvitation(made.url);
        }}
      >
        <label className="field">
          <span>E-mail (optional)</span>
          <input name="email" type="email" />
        </label>
        <Select
          label="Role"
          name="role"
          options={[['member', 'member'], ['admin', 'admin'], ...(role === 'owner' ? [['owner', 'owner'] as [string, string]] : [])]}
        />
      </ActionForm>
      <PagedTable
        label="Members"
        list={members}
        rowKey={(m) => m.userId}
        columns={[
          { header: 'Person', cell: (m) => m.name ?? m.email ?? m.userId },
          { header: 'Role', cell: (m) => m.role },
          { header: 'Since', cell: (m) => when(m.since) },
          {
            header: 'Remove',
            cell: (m) =>
              m.userId === userId ? (
                'you'
              ) : (
                <ActionButton
                  label={`Remove ${m.name ?? m.email ?? m.userId}`}
                  danger
                  run={async () => {
                    await api('DELETE', `${ORGS}/${orgId}/members/${m.userId}`);
                    members.reload();
                  }}
                />
              ),
          },
        ]}
      />
    </>
  );
}
