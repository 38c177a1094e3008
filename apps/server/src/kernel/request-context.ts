/** Who is asking and from where: carried into services for audit and scoping. */
export interface RequestContext {
  requestId: string | null;
  ip: string | null;
  actor: Actor;
}

type Actor =
  | { type: 'api-key'; id: string; organisationId: string | null }
  | { type: 'license-key'; id: string }
  | { type: 'workload'; id: string }
  | { type: 'session'; id: string }
  | { type: 'user'; id: string }
  | { type: 'stripe'; id: string }
  | { type: 'system'; id: string | null };

/** The context of work the server does on its own (reaper, start-up, operator commands). */
export function systemContext(id: string | null = null): RequestContext {
  return { requestId: null, ip: null, actor: { type: 'system', id } };
}
