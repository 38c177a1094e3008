import { useState } from 'react';
import type { Wire } from '../api.js';
import { ADMIN, api, qs } from '../api.js';
import { usePaged } from '../hooks.js';
import { PagedTable } from '../paged-table.js';
import { ActionButton, Field, text, when } from '../ui.js';

type Verdict = Wire<'auditVerdict'>;

export function Audit() {
  const [filter, setFilter] = useState({ action: '', targetId: '', actorId: '' });
  const key = JSON.stringify(filter);
  const events = usePaged<Wire<'auditEvent'>>((cursor) => `${ADMIN}/audit${qs({ ...filter, cursor, limit: 50 })}`, key);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  return (
    <section>
      <h1>Audit log</h1>
      <div className="actions">
        <ActionButton label="Verify the chain" run={async () => setVerdict(await api<Verdict>('GET', `${ADMIN}/audit/verify`))} />
        <a className="button" href={`${ADMIN}/audit/export${qs(filter)}`} download>
          Export (JSON lines)
        </a>
      </div>
      {verdict ? (
        <p role="status" data-testid="verdict" className={verdict.ok ? 'ok' : 'error'}>
          {verdict.ok
            ? `Intact: ${verdict.events} events verified.`
            : `Broken at event ${verdict.firstBadSeq ?? '?'}: ${verdict.reason ?? 'an event was altered or removed'}.`}
        </p>
      ) : null}
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          const d = new FormData(e.currentTarget);
          setFilter({ action: text(d, 'action') ?? '', targetId: text(d, 'targetId') ?? '', actorId: text(d, 'actorId') ?? '' });
        }}
      >
        <Field label="Action" name="action" placeholder="license.suspended" />
        <Field label="Target ID" name="targetId" />
        <Field label="Actor ID" name="actorId" />
        <button type="submit">Filter</button>
      </form>
      <PagedTable
        label="Audit events"
        list={events}
        rowKey={(e) => e.id}
        empty="No event matches."
        columns={[
          { header: '#', cell: (e) => e.seq },
          { header: 'At', cell: (e) => when(e.at) },
          { header: 'Action', cell: (e) => e.action },
          { header: 'Actor', cell: (e) => `${e.actorType} ${e.actorId ?? ''}` },
          { header: 'Target', cell: (e) => e.targetId ?? '—' },
        ]}
      />
    </section>
  );
}
