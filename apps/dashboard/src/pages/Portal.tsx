import { useEffect, useState } from 'react';
import { api, qs, type Wire } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { ActionButton, ActionForm, ErrorBox, Loading, Pager, Select, ShownOnce, text, when } from '../ui.js';

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
  const paging = useCursor(orgId);
  const licenses = useLoad(() => api<Wire<'licensePage'>>('GET', `${ORGS}/${orgId}/licenses${qs({ cursor: paging.cursor })}`), `${orgId}:${paging.cursor}`);
  const sessions = useLoad(() => api<Wire<'sessionPage'>>('GET', `${ORGS}/${orgId}/sessions?limit=200`), `sessions:${orgId}`);
  const reloadSessions = sessions.reload;
  useEffect(() => {
    const timer = setInterval(reloadSessions, 2000);
    return () => clearInterval(timer);
  }, [reloadSessions]);
  const [billingError, setBillingError] = useState<unknown>(null);
  return (
    <>
      <h2>Licenses</h2>
      <Loading state={licenses} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">License</th>
                  <th scope="col">Status</th>
                  <th scope="col">Seats</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((l) => (
                  <tr key={l.id}>
                    <td>{l.id}</td>
                    <td>{l.status}</td>
                    <td>
                      {l.seatsInUse} / {l.seats}
                    </td>
                    <td>{when(l.expiresAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={paging.page} nextCursor={page.nextCursor} onNext={paging.next} onPrevious={paging.previous} />
          </>
        )}
      </Loading>
      <h2>{manager ? 'Who holds the seats' : 'Your seats'}</h2>
      <Loading state={sessions} empty={(p) => p.data.filter((s) => manager || s.userId === userId).length === 0}>
        {(page) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">User</th>
                <th scope="col">License</th>
                <th scope="col">Since</th>
                <th scope="col">Last heartbeat</th>
                {manager ? <th scope="col">Seat</th> : null}
              </tr>
            </thead>
            <tbody>
              {page.data
                .filter((s) => manager || s.userId === userId)
                .map((s) => (
                  <tr key={s.id}>
                    <td>{s.hostname ?? '—'}</td>
                    <td>{s.userId ?? '—'}</td>
                    <td>{s.licenseId}</td>
                    <td>{when(s.startedAt)}</td>
                    <td>{when(s.lastHeartbeatAt)}</td>
                    {manager ? (
                      <td>
                        <ActionButton
                          label={`Free seat of ${s.hostname ?? s.id}`}
                          danger
                          run={async () => {
                            await api('POST', `${ORGS}/${orgId}/sessions/${s.id}/release`);
                            sessions.reload();
                          }}
                        />
                      </td>
                    ) : null}
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </Loading>
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
  const members = useLoad(() => api<Wire<'memberList'>>('GET', `${ORGS}/${orgId}/members`), `members:${orgId}`);
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
      <Loading state={members} empty={(m) => m.data.length === 0}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name ?? m.email ?? m.userId}</td>
                  <td>{m.role}</td>
                  <td>{when(m.since)}</td>
                  <td>
                    {m.userId === userId ? (
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
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </>
  );
}
