import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/**
 * A listener that serves only GET /metrics, on its own port: the Ingress routes
 * the API port, never this one, so metrics are not public. The body is the
 * registry as the background refresh left it: no dependency is touched.
 */
export async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/metrics` };
}
