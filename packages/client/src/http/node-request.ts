import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FetchLike } from './fetch-like.js';

/**
 * The default `fetch` of the SDK, on `node:http`: aborting it destroys the socket
 * even while it is still connecting. (The global `fetch` leaves a connect attempt
 * to an unresponsive host running for its own 10 s, which holds a finished
 * program open long after the call has settled.)
 *
 * @example
 * ```ts
 * const response = await nodeRequest('http://127.0.0.1:8080/healthz', { method: 'GET', signal: AbortSignal.timeout(2000) });
 * ```
 */
export const nodeRequest: FetchLike = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(input);
    const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
    if (!send) {
      reject(new TypeError(`unsupported protocol ${url.protocol}`));
      return;
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)));
    const req = send(url, { method: init.method ?? 'GET', headers: Object.fromEntries(headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const status = res.statusCode ?? 502;
        const text = Buffer.concat(chunks);
        const empty = text.length === 0 || [204, 205, 304].includes(status);
        resolve(new Response(empty ? null : text, { status, headers: responseHeaders }));
      });
    });
    const onAbort = () => {
      req.destroy();
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('request failed', { cause: error }));
    });
    req.end(body);
  });
