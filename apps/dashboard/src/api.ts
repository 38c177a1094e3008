import type * as S from '@leasehold/protocol/schemas';
import type { z } from 'zod';

/** A wire type of the protocol package: the dashboard never restates a shape the server defines. */
export type Wire<K extends keyof typeof S> = (typeof S)[K] extends z.ZodType ? z.infer<(typeof S)[K]> : never;
export type Problem = Wire<'problem'>;

/** An error answer, with the problem+json detail the server gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem ? `${problem.title}: ${problem.detail}` : `The server answered ${status}.`);
  }
}

let csrfToken: string | null = null;

/** Set from the session answer; sent on every change. Lives in memory only. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, given?: unknown): Promise<T> {
  // An action without fields still sends an empty object, which every POST route accepts.
  const body = given === undefined && method === 'POST' ? {} : given;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? null : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed && typeof parsed === 'object' && 'detail' in parsed ? (parsed as Problem) : null);
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A query string of the defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

export const ADMIN = '/api/v1/admin';
