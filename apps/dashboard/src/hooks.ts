import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api.js';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** Loads once per change of `key`, with loading and error states. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for the inputs of load
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error: error instanceof ApiError ? error : new ApiError(0, null), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Cursor paging on the server: a stack of the cursors of the pages before this one, dropped when the filter changes. */
export function useCursor(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: resetKey, stack: [] });
  const stack = state.key === resetKey ? state.stack : [];
  return {
    cursor: stack[stack.length - 1],
    page: stack.length + 1,
    next: (c: string) => setState({ key: resetKey, stack: [...stack, c] }),
    previous: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
  };
}

/** One page of a server list: `{ data, nextCursor }`. */
export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}

export type Paged<T> = Loaded<PageOf<T>> & { paging: ReturnType<typeof useCursor> };

/**
 * A list the server pages: `path` gives the URL of the page after `cursor`. A new
 * `key` (another filter) starts again at the first page.
 */
export function usePaged<T>(path: (cursor: string | undefined) => string, key: string): Paged<T> {
  const paging = useCursor(key);
  const state = useLoad(() => api<PageOf<T>>('GET', path(paging.cursor)), `${key}:${paging.cursor ?? ''}`);
  return { ...state, paging };
}
