import { useState } from 'react';
import type { Wire } from '../api.js';
import { ADMIN, api, qs } from '../api.js';
import { useCursor, useLoad } from '../hooks.js';
import { ActionButton, Field, Loading, Pager, text, when } from '../ui.js';

type Verdict = Wire<'auditVerdict'>;

export function Audit() {
  const [filter, setFilter] = useState({ action: '', targetId: '', actorId: '' });
  const key = JSON.stringify(filter);
  const paging = useCursor(key);
  const events = useLoad(
    () => api<Wire<'auditPage'>>('GET', `${ADMIN}/audit${qs({ ...filter, cursor: paging.cursor, limit: 50 })}`),
    `${key}:${paging.cursor}`,
  );
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
      <Loading state={events} empty={(p) => p.data.length === 0}>
        {(page) => (
          <>
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">At</th>
                    <th scope="col">Action</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Target</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((e) => (
                    <tr key={e.id}>
                      <td>{e.seq}</td>
                      <td>{when(e.at)}</td>
                      <td>{e.action}</td>
                      <td>
                        {e.actorType} {e.actorId ?? ''}
                      </td>
                      <td>{e.targetId ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={paging.page} nextCursor={page.nextCursor} onNext={paging.next} onPrevious={paging.previous} />
          </>
        )}
      </Loading>
    </section>
  );
}
