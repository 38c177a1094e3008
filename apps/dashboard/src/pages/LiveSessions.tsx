import { useEffect, useState } from 'react';
import { api, qs, type Wire } from '../api.js';
import { type PageOf, useCursor } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { ActionButton, when } from '../ui.js';

type Session = Wire<'session'>;

/**
 * Live sessions pushed by the server (server-sent events); each snapshot replaces the
 * page shown. Paging opens the stream of the next page, so 10,000 sessions cost one page.
 */
export function LiveSessions({ streamUrl, releaseUrl, canRelease }: { streamUrl: string; releaseUrl: (id: string) => string; canRelease: boolean }) {
  const paging = useCursor(streamUrl);
  const [page, setPage] = useState<PageOf<Session> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const url = `${streamUrl}${qs({ cursor: paging.cursor, limit: 100 })}`;
  useEffect(() => {
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener('snapshot', (e) => {
      setProblem(null);
      setPage(JSON.parse((e as MessageEvent<string>).data) as PageOf<Session>);
    });
    source.addEventListener('error', (e) => {
      const data = (e as MessageEvent<string>).data;
      setProblem(data ? (JSON.parse(data) as { detail: string }).detail : 'The live view lost the server; reconnecting…');
    });
    return () => source.close();
  }, [url]);
  const list = { data: page, error: null, loading: page === null, reload: () => undefined, paging };
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">Live sessions</h2>
      {problem ? (
        <p role="status" className="muted">
          {problem}
        </p>
      ) : null}
      <PagedTable
        label="Live sessions"
        list={list}
        rowKey={(s) => s.id}
        testId="sessions"
        empty="No seat is held."
        columns={[
          { header: 'Host', cell: (s) => s.hostname ?? s.fingerprint.slice(0, 12) },
          { header: 'User', cell: (s) => s.userEmail ?? s.userId ?? '—' },
          { header: 'Since', cell: (s) => when(s.startedAt) },
          { header: 'Last heartbeat', cell: (s) => when(s.lastHeartbeatAt) },
          { header: 'Platform', cell: (s) => s.platform ?? '—' },
          ...(canRelease
            ? [
                {
                  header: 'Seat',
                  cell: (s: Session) => <ActionButton label={`Free seat of ${s.hostname ?? s.id}`} danger run={() => api('POST', releaseUrl(s.id))} />,
                },
              ]
            : []),
        ]}
      />
    </section>
  );
}
