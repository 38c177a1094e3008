import { spawnSync } from 'node:child_process';
import { credentialHeaders } from '../http/credential-headers.js';

// Runs in a short-lived child: reads {url, body} from stdin and POSTs it once.
const CHILD_SCRIPT = `
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', async () => {
  try {
    const { url, body, headers, timeoutMs } = JSON.parse(input);
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    process.exitCode = res.ok ? 0 : 2;
  } catch { process.exitCode = 1; }
});
`;

/**
 * Sends one POST synchronously, for the `exit` event where nothing can be awaited:
 * a child Node process does the request while this one blocks on it (bounded by
 * `timeoutMs`). Returns whether the server accepted it.
 *
 * @example
 * ```ts
 * process.on('exit', () => postSynchronously('http://127.0.0.1:8080/api/v1/licenses/release', creds, 2000));
 * ```
 */
export function postSynchronously(url: string, body: unknown, timeoutMs: number): boolean {
  const moved = credentialHeaders(body, false);
  const result = spawnSync(process.execPath, ['-e', CHILD_SCRIPT], {
    input: JSON.stringify({ url, body: moved.body, headers: moved.headers, timeoutMs }),
    timeout: timeoutMs + 1000,
    stdio: ['pipe', 'ignore', 'ignore'],
    windowsHide: true,
  });
  return result.status === 0;
}
