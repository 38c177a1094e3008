import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError } from './api.js';
import type { Loaded } from './hooks.js';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div role="alert" className="error">
      <strong>{e?.problem?.title ?? (e?.status === 0 ? 'The server could not be reached' : 'Something went wrong')}</strong>
      {e?.problem?.detail ? <p>{e.problem.detail}</p> : null}
      {e?.problem?.errors?.length ? (
        <ul>
          {e.problem.errors.map((x) => (
            <li key={`${x.path}:${x.message}`}>
              <code>{x.path}</code>: {x.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Loading, error and empty states around a loaded value. */
export function Loading<T>({ state, empty, children }: { state: Loaded<T>; empty?: (data: T) => boolean; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorBox error={state.error} />;
  if (state.loading && !state.data) {
    return (
      <p className="muted" aria-live="polite">
        Loading…
      </p>
    );
  }
  if (!state.data) return null;
  if (empty?.(state.data)) return <p className="muted">Nothing here yet.</p>;
  return <>{children(state.data)}</>;
}

export function Pager({
  label,
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  label: string;
  page: number;
  nextCursor: string | null;
  onNext: (c: string) => void;
  onPrevious: () => void;
}) {
  return (
    <nav className="pager" aria-label={`Pages of ${label}`}>
      <button type="button" disabled={page <= 1} onClick={onPrevious}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next
      </button>
    </nav>
  );
}

/** A form that shows the server's problem detail when the action fails. */
export function ActionForm({
  label,
  onSubmit,
  children,
  busyLabel,
  keepValues,
}: {
  label: string;
  onSubmit: (data: FormData) => Promise<void>;
  children: ReactNode;
  busyLabel?: string;
  /** An editor keeps what was saved in its fields; a "create" form empties them. */
  keepValues?: boolean;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(new FormData(form));
      if (!keepValues) form.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="action-form" aria-label={label}>
      {children}
      <button type="submit" disabled={busy}>
        {busy ? (busyLabel ?? 'Working…') : label}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

export function Field({
  label,
  name,
  type = 'text',
  required,
  defaultValue,
  placeholder,
}: {
  label: string;
  name: string;
  type?: string;
  required?: boolean;
  defaultValue?: string | number;
  placeholder?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input name={name} type={type} required={required} defaultValue={defaultValue} placeholder={placeholder} />
    </label>
  );
}

export function Select({ label, name, options, defaultValue }: { label: string; name: string; options: Array<[string, string]>; defaultValue?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <select name={name} defaultValue={defaultValue}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A secret the server shows this once. */
export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div className="shown-once" role="status">
      <p>
        <strong>{label}</strong> — copy it now: it is shown this once.
      </p>
      <code data-testid="secret">{value}</code>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

/** A button running one action, with its failure shown beside it. */
export function ActionButton({ label, run, danger }: { label: string; run: () => Promise<unknown>; danger?: boolean }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="action">
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await run();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      <ErrorBox error={error} />
    </span>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const text = (data: FormData, name: string) => {
  const v = data.get(name);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};
