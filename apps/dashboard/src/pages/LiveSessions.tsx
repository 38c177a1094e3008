import { useEffect, useState } from 'react';
import { api, type Wire } from '../api.js';
import { ActionButton, ErrorBox, when } from '../ui.js';

type SessionPage = Wire<'sessionPage'>;

/** Live sessions pushed by the server (server-sent events); each snapshot replaces the table. */
export function LiveSessions({ streamUrl, releaseUrl, canRelease }: { streamUrl: string; releaseUrl: (id: string) => string; canRelease: boolean }) {
  const [page, setPage] = useState<SessionPage | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const source = new EventSource(streamUrl, { withCredentials: true });
    source.addEventListener('snapshot', (e) => {
      setProblem(null);
      setPage(JSON.parse((e as MessageEvent<string>).data) as SessionPage);
    });
    source.addEventListener('error', (e) => {
      const data = (e as MessageEvent<string>).data;
      setProblem(data ? (JSON.parse(data) as { detail: string }).detail : 'The live view lost the server; reconnecting…');
    });
    return () => source.close();
  }, [streamUrl]);
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">Live sessions</h2>
      {problem ? (
        <p role="status" className="muted">
          {problem}
        </p>
      ) : null}
      {!page ? (
        <p className="muted">Connecting…</p>
      ) : page.data.length === 0 ? (
        <p className="muted" data-testid="no-sessions">
          No seat is held.
        </p>
      ) : (
        <div className="scroll">
          <table data-testid="sessions">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">User</th>
                <th scope="col">Since</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Platform</th>
                {canRelease ? <th scope="col">Seat</th> : null}
              </tr>
            </thead>
            <tbody>
              {page.data.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td>{s.hostname ?? s.fingerprint.slice(0, 12)}</td>
                  <td>{s.userId ?? '—'}</td>
                  <td>{when(s.startedAt)}</td>
                  <td>{when(s.lastHeartbeatAt)}</td>
                  <td>{s.platform ?? '—'}</td>
                  {canRelease ? (
                    <td>
                      <ActionButton label={`Free seat of ${s.hostname ?? s.id}`} danger run={() => api('POST', releaseUrl(s.id))} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          {page.nextCursor ? <p className="muted">More sessions than shown; the first {page.data.length} are listed.</p> : null}
        </div>
      )}
      <ErrorBox error={null} />
    </section>
  );
}
