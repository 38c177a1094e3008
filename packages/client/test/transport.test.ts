import { describe, expect, it } from 'vitest';
import { backoffDelay, errorFromProblem, NoSeatAvailableError, parseRetryAfter, ServerError, ServerUnreachableError, Transport } from '../src/index.js';

const problem = (status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'x', title: 't', status, detail: `detail ${code}`, code, requestId: 'req_1', ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

function scripted(answers: (() => Response | Promise<Response>)[]) {
  const calls: number[] = [];
  const sleeps: number[] = [];
  const transport = new Transport({
    serverUrl: 'http://license.test/',
    clock: { now: () => 0 },
    fetch: async () => {
      calls.push(calls.length);
      const next = answers[Math.min(calls.length - 1, answers.length - 1)] as () => Response;
      return next();
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
  });
  return { transport, calls, sleeps };
}

describe('retries', () => {
  it('retries network errors and 5xx with growing, jittered delays, then succeeds', async () => {
    const { transport, calls, sleeps } = scripted([
      () => Promise.reject(new TypeError('fetch failed')),
      () => problem(503, 'SERVICE_UNAVAILABLE'),
      () => new Response('{"ok":true}', { status: 200 }),
    ]);
    const { body } = await transport.postJson('/x', {});
    expect(body).toEqual({ ok: true });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('honours Retry-After on 429 as the least delay', async () => {
    const { transport, sleeps } = scripted([() => problem(429, 'RATE_LIMITED', {}, { 'retry-after': '3' }), () => new Response('{}', { status: 200 })]);
    await transport.postJson('/x', {});
    expect(sleeps).toEqual([3000]);
  });

  it('never retries a 4xx decision', async () => {
    // Without a detail of its own, the answer gets the SDK's advice.
    const { transport, calls } = scripted([() => problem(403, 'LICENSE_SUSPENDED', { detail: undefined })]);
    const error = await transport.postJson('/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('LICENSE_SUSPENDED');
    expect((error as ServerError).message).toMatch(/reinstate/);
    expect(calls).toHaveLength(1);
  });

  it('gives up after the last attempt with an error naming the server', async () => {
    const { transport, calls } = scripted([() => Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))]);
    const error = await transport.postJson('/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toMatch(/Cannot reach the license server at http:\/\/license\.test \(ECONNREFUSED\)/);
    expect(calls).toHaveLength(4);
  });

  it('stops at once when Retry-After is beyond the limit', async () => {
    const { transport, calls } = scripted([() => problem(503, 'SERVICE_UNAVAILABLE', {}, { 'retry-after': '3600' })]);
    await expect(transport.postJson('/x', {})).rejects.toBeInstanceOf(ServerUnreachableError);
    expect(calls).toHaveLength(1);
  });

  it('computes backoff and Retry-After', () => {
    expect(backoffDelay(0, { baseDelayMs: 100 }, () => 0.999, null)).toBe(99);
    expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5, null)).toBe(500);
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

describe('errors a person can act on', () => {
  it('says who holds the seats and when the next frees', () => {
    const now = new Date(2030, 0, 1, 9, 0);
    const error = errorFromProblem(
      409,
      {
        code: 'NO_SEAT_AVAILABLE',
        seatsUsed: 3,
        seatsTotal: 3,
        nextFreeAt: new Date(2030, 0, 1, 14, 5).toISOString(),
        holders: [
          { hostname: 'alice-laptop', userId: null, since: null, expiresAt: null },
          { hostname: 'ci-runner-2', userId: null, since: null, expiresAt: null },
          { hostname: null, userId: 'usr_x', since: null, expiresAt: null },
        ],
      },
      now,
    );
    expect(error).toBeInstanceOf(NoSeatAvailableError);
    expect(error.message).toBe(
      'All 3 seats of this license are in use (by alice-laptop, ci-runner-2, usr_x). The next one frees at 14:05 unless released sooner.',
    );
    expect((error as NoSeatAvailableError).holders).toHaveLength(3);
    const single = errorFromProblem(409, { code: 'NO_SEAT_AVAILABLE', seatsUsed: 1, seatsTotal: 1, nextFreeAt: null, holders: [] }, now);
    expect(single.message).toMatch(/^The one seat of this license is in use\. /);
  });
});

describe('a bounded call', () => {
  it('settles with SERVER_UNREACHABLE within its deadline when the server never answers', async () => {
    const transport = new Transport({
      serverUrl: 'http://license.test',
      clock: { now: () => Date.now() },
      // A fetch that only ends when aborted, like a server that accepted and went quiet.
      fetch: (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
      deadlineMs: 400,
    });
    const started = Date.now();
    const error = await transport.postJson('/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toContain('no answer within 400 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits between retries on a timer that keeps the process alive', async () => {
    const { spawnSync } = await import('node:child_process');
    // A script whose only pending work is the retry wait: it must print before exiting.
    const script = `
      import { Transport } from ${JSON.stringify(new URL('../dist/http/transport.js', import.meta.url).href)};
      let calls = 0;
      const t = new Transport({ serverUrl: 'http://x', clock: { now: Date.now }, random: () => 1, retry: { attempts: 2, baseDelayMs: 300 },
        fetch: async () => { calls++; throw new TypeError('fetch failed'); } });
      t.postJson('/x', {}).catch((e) => console.log(e.code, calls));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('SERVER_UNREACHABLE 2');
  });
});

describe('one message per error', () => {
  const sentences = (text: string) =>
    text
      .split(/(?<=[.!?])\s+/)
      .map((s) => s.toLowerCase().replace(/[^a-z ]/g, ''))
      .filter(Boolean);
  const repeats = (text: string) => {
    const seen = sentences(text);
    return seen.filter((s, i) => seen.indexOf(s) !== i || seen.some((o, j) => j !== i && o.length > 12 && s.includes(o)));
  };

  it.each([
    ['LICENSE_SUSPENDED', 403, 'The license is suspended. Ask its owner or the vendor to reinstate it.'],
    ['SESSION_NOT_FOUND', 404, 'No live session matches this ID and secret. It may have been released; acquire a seat again.'],
    ['SERVICE_UNAVAILABLE', 503, undefined],
    ['SERVICE_UNAVAILABLE', 503, 'Down for maintenance.'],
  ])('%s (%s) says each thing once', async (code, status, detail) => {
    const answer = () =>
      new Response(JSON.stringify({ type: 'x', title: 'Service unavailable', status, code, ...(detail ? { detail } : {}) }), {
        status,
        headers: { 'content-type': 'application/problem+json' },
      });
    const { transport } = scripted([answer]);
    const error = (await transport.postJson('/x', {}).catch((e: unknown) => e)) as Error;
    expect(repeats(error.message), error.message).toEqual([]);
    if (detail) expect(error.message).toContain(detail.replace(/\.$/, ''));
  });
});

describe('credentials', () => {
  const capture = () => {
    const sent: { headers: Record<string, string>; body: unknown }[] = [];
    const transport = new Transport({
      serverUrl: 'http://license.test',
      clock: { now: () => 0 },
      fetch: async (_url, init) => {
        sent.push({ headers: (init?.headers ?? {}) as Record<string, string>, body: JSON.parse(String(init?.body)) });
        return new Response('{}', { status: 200 });
      },
    });
    return { transport, sent };
  };

  it('sends the license key and the session secret in headers, never in the body', async () => {
    const { transport, sent } = capture();
    await transport.postJson('/api/v1/licenses/acquire', { product: 'coditect', licenseKey: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012', fingerprint: 'f' });
    await transport.postJson('/api/v1/licenses/heartbeat', { sessionId: 'ses_1', sessionSecret: 'secret-of-the-session-123' });
    expect(sent[0]).toEqual({
      headers: expect.objectContaining({ authorization: 'License ABCDE-FGHJK-MNPQR-STVWX-YZ012' }),
      body: { product: 'coditect', fingerprint: 'f' },
    });
    expect(sent[1]).toEqual({
      headers: expect.objectContaining({ 'leasehold-session-secret': 'secret-of-the-session-123' }),
      body: { sessionId: 'ses_1' },
    });
  });

  it('keeps a license key in the body when the call authenticates with a bearer token', async () => {
    const { transport, sent } = capture();
    await transport.postJson('/api/v1/licenses/acquire', { product: 'coditect', licenseKey: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012' }, { bearer: 'tok' });
    expect(sent[0]?.headers.authorization).toBe('Bearer tok');
    expect(sent[0]?.body).toEqual({ product: 'coditect', licenseKey: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012' });
  });
});
