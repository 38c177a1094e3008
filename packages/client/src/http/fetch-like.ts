/**
 * The `fetch` the SDK calls: the global one by default, any compatible one in tests.
 *
 * @example
 * ```ts
 * const fetchThroughProxy: FetchLike = (url, init) => fetch(url, { ...init, dispatcher });
 * ```
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
