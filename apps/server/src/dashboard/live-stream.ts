import type { FastifyReply, FastifyRequest } from 'fastify';

/** Open event streams, ended when the server closes so shutdown never waits on them. */
export class LiveStreams {
  readonly #open = new Set<() => void>();

  /**
   * Answers text/event-stream and sends `read()`'s JSON every time it changes,
   * polling each `intervalMs`; a comment every 15 s keeps proxies from closing it.
   */
  serve(request: FastifyRequest, reply: FastifyReply, read: () => Promise<unknown>, intervalMs = 1000): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    let last = '';
    let idle = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const body = JSON.stringify(await read());
        if (body !== last) {
          last = body;
          idle = 0;
          raw.write(`event: snapshot\ndata: ${body}\n\n`);
        } else {
          idle += intervalMs;
          if (idle >= 15_000) {
            idle = 0;
            raw.write(': keep-alive\n\n');
          }
        }
      } catch (error) {
        request.log.warn({ err: error }, 'live stream read failed');
        raw.write(`event: error\ndata: ${JSON.stringify({ detail: 'The server could not read the live sessions; retrying.' })}\n\n`);
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(tick, intervalMs);
    const end = () => {
      clearInterval(timer);
      this.#open.delete(end);
      if (!raw.writableEnded) raw.end();
    };
    this.#open.add(end);
    request.raw.on('close', end);
    void tick();
  }

  closeAll(): void {
    for (const end of [...this.#open]) end();
  }
}
