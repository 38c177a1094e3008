import type { Readable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/** The parts of an answer the checks read: status, headers and the body (of an event stream, its start). */
export type StreamedAnswer = Pick<LightMyRequestResponse, 'statusCode' | 'headers' | 'body' | 'json'>;

/**
 * Injects a request to a route that may answer server-sent events, which never end by
 * themselves: an event stream is read until its first event or `waitMs`, then the
 * client leaves (the server ends the stream); any other answer is read whole.
 */
export async function injectEventStream(app: FastifyInstance, options: InjectOptions, waitMs: number): Promise<StreamedAnswer> {
  const answer = await app.inject({ ...options, payloadAsStream: true });
  const stream = answer.stream() as Readable;
  const events = String(answer.headers['content-type'] ?? '').startsWith('text/event-stream');
  try {
    const body = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = events ? setTimeout(() => resolve(text), waitMs) : undefined;
      const done = () => {
        clearTimeout(timer);
        resolve(text);
      };
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (events && text.includes('\n\n')) done();
      });
      stream.on('end', done);
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { statusCode: answer.statusCode, headers: answer.headers, body, json: () => JSON.parse(body) };
  } finally {
    stream.destroy();
    // The server ends a stream when its request closes, as when a browser leaves.
    answer.raw.res.req?.destroy();
  }
}
