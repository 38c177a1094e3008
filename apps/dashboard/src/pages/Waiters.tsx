import { useEffect } from 'react';
import { ADMIN, type Wire } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { when } from '../ui.js';

type Queued = Wire<'queuedAcquire'>;

/** How often the waiters are read again: places move as seats free. */
const REFRESH_MS = 2_000;

/** Who waits for a seat of the license now, in the order seats go to them, and seats lingering for their releaser. */
export function Waiters({ licenseId }: { licenseId: string }) {
  const list = usePaged<Queued>(() => `${ADMIN}/licenses/${licenseId}/queue`, `queue:${licenseId}`);
  useEffect(() => {
    const timer = setInterval(list.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [list.reload]);
  return (
    <>
      <h2>Waiting for a seat</h2>
      <PagedTable
        label="Waiting for a seat"
        testId="waiters"
        list={list}
        rowKey={(q) => q.ticket}
        empty="Nobody is waiting."
        columns={[
          { header: '#', cell: (q) => q.position },
          { header: 'Host', cell: (q) => q.hostname ?? q.fingerprint.slice(0, 12) },
          {
            header: 'Waiting',
            cell: (q) => (q.kind === 'lingering' ? 'seat lingers for it' : q.priority === 'normal' ? 'waiting' : `waiting (${q.priority})`),
          },
          { header: 'Since', cell: (q) => when(q.since) },
          { header: 'Until', cell: (q) => when(q.lapsesAt) },
        ]}
      />
    </>
  );
}
