import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pinTarget, RefusedTarget } from './target-guard.js';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/**
 * POSTs one signed body. The host is resolved and checked once (see pinTarget) and the
 * connection goes to that address; TLS still verifies the certificate for the host name.
 * Redirects are not followed: a 3xx counts as a failure, so a receiver cannot bounce the
 * request to an address the check would refuse. Only a 2xx is success.
 */
export async function sendWebhook(target: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(target);
  let pinned: Awaited<ReturnType<typeof pinTarget>>;
  let resolving: NodeJS.Timeout | undefined;
  try {
    // A resolver that does not answer counts against the same deadline as the request.
    const deadline = new Promise<never>((_resolve, reject) => {
      resolving = setTimeout(() => reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' })), options.timeoutMs);
    });
    pinned = await Promise.race([pinTarget(url, options.allowPrivateTargets), deadline]);
  } catch (error) {
    const message =
      error instanceof RefusedTarget ? `refused: ${error.message}` : `cannot resolve ${url.hostname}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    return { ok: false, statusCode: null, latencyMs: elapsed(), error: message };
  } finally {
    clearTimeout(resolving);
  }
  const lookup: LookupFunction = (_host, opts, callback) => {
    if (opts.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latencyMs: elapsed() });
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        timeout: options.timeoutMs,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Leasehold-Webhooks/1' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The body is not read beyond what arrives; the status is the answer.
        response.resume();
        response.on('error', () => {});
        if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, error: null });
        else if (status >= 300 && status < 400) finish({ ok: false, statusCode: status, error: 'redirect not followed' });
        else finish({ ok: false, statusCode: status, error: `answered ${status}` });
        response.destroy();
      },
    );
    const deadline = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('timeout', () => {
      finish({ ok: false, statusCode: null, error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, statusCode: null, error: `connection failed: ${error.code ?? error.message}` }));
    request.on('close', () => clearTimeout(deadline));
    request.end(body);
  });
}
