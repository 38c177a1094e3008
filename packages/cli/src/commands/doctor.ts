import { asLeaseholdError, type JsonWebKeySet, systemClock, Transport } from '@leasehold/client';
import { type CommandContext, clientFor, requireTarget } from '../context.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const MAX_DRIFT_SECONDS = 60;

/**
 * `leasehold doctor`: the fingerprint, whether the server answers, the clock's
 * drift against the server's `Date`, and whether the cached token is valid.
 * Exit 8 when a check fails.
 *
 * @example
 * ```ts
 * await doctor(ctx);
 * ```
 */
export async function doctor(ctx: CommandContext): Promise<number> {
  const { serverUrl } = requireTarget(ctx);
  const client = clientFor(ctx);
  const clock = ctx.clock ?? systemClock;
  const checks: Check[] = [];

  const fp = await client.fingerprint().then(
    (f) => ({
      ok: true,
      detail: `${f.fingerprint.slice(0, 16)}… from ${f.source === 'override' ? 'LEASEHOLD_FINGERPRINT' : Object.keys(f.components).join(', ')}`,
    }),
    (e: unknown) => ({ ok: false, detail: asLeaseholdError(e).message }),
  );
  checks.push({ name: 'fingerprint', ...fp });

  const transport = new Transport({
    serverUrl,
    clock,
    retry: { attempts: 1 },
    timeoutMs: 5000,
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
  });
  const started = clock.now();
  try {
    const { body, serverDate } = await transport.getJson<JsonWebKeySet>('/.well-known/jwks.json');
    const ended = clock.now();
    const keys = Array.isArray(body.keys) ? body.keys.length : 0;
    checks.push({ name: 'server', ok: keys > 0, detail: `${serverUrl} answered in ${ended - started} ms with ${keys} signing key(s)` });
    if (serverDate) {
      // The Date header has one-second resolution; compare against the request's midpoint.
      const drift = Math.round(((started + ended) / 2 - serverDate.getTime()) / 1000);
      checks.push({
        name: 'clock',
        ok: Math.abs(drift) <= MAX_DRIFT_SECONDS,
        detail: Math.abs(drift) <= 1 ? 'in step with the server (±1 s)' : `${Math.abs(drift)} s ${drift > 0 ? 'ahead of' : 'behind'} the server`,
      });
    } else {
      checks.push({ name: 'clock', ok: true, detail: 'the server sent no Date header to compare with' });
    }
  } catch (error) {
    checks.push({ name: 'server', ok: false, detail: asLeaseholdError(error).message });
  }

  const cached = await client.inspectCache();
  checks.push(
    cached.claims
      ? {
          name: 'token',
          ok: cached.tokenError === null,
          detail: cached.tokenError?.message ?? `valid offline until ${new Date(cached.claims.exp * 1000).toISOString()}`,
        }
      : { name: 'token', ok: true, detail: 'no cached lease token (none needed until the program runs)' },
  );
  checks.push({ name: 'state', ok: true, detail: cached.statePath });

  const ok = checks.every((c) => c.ok);
  ctx.out.result({ ok, checks }, checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(11)} ${c.detail}`).join('\n'));
  return ok ? 0 : 8;
}
