import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
}

/** What the receiver does with one request: answer a status (and headers), or never answer. */
export type Reply = number | { status: number; headers: Record<string, string> } | 'hang';

/**
 * A webhook receiver on loopback: records every request and answers as `reply` says
 * (200 by default). It can go down and come back on the same port.
 */
export class Receiver {
  readonly received: Received[] = [];
  reply: (request: Received) => Reply = () => 200;
  #server: Server | null = null;
  #port = 0;
  readonly #hanging = new Set<() => void>();

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hook`;
  }

  get port(): number {
    return this.#port;
  }

  async start(port = this.#port): Promise<this> {
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        const received = { headers: request.headers, body, path: request.url ?? '' };
        this.received.push(received);
        const reply = this.reply(received);
        if (reply === 'hang') {
          this.#hanging.add(() => response.destroy());
          return;
        }
        const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
        response.writeHead(status, headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Stops listening: connections are refused until start() again. */
  async stop(): Promise<void> {
    for (const end of this.#hanging) end();
    this.#hanging.clear();
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The bodies received, parsed. */
  events(): { type: string; data: Record<string, unknown> }[] {
    return this.received.map((r) => JSON.parse(r.body));
  }
}
