import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The first step of shutdown: take in every request that already reached the socket,
 * then stop listening, without yet closing any connection. When the event loop was
 * busy (the embedded database runs on it), connections sit in the kernel's accept
 * queue, or accepted with their request not yet read; closing the server at once would
 * reset them (Node closes connections without a request in flight on close()). So
 * connections are taken until none has come for `quietMs` (at most `maxMs`), and only
 * then is the listener closed. After this, closing the app answers everything it read.
 */
export async function takeInPendingRequests(server: Server, quietMs = 100, maxMs = 3_000): Promise<void> {
  if (!server.listening) return;
  let last = performance.now();
  const seen = () => {
    last = performance.now();
  };
  server.on('connection', seen);
  const started = performance.now();
  try {
    while (performance.now() - last < quietMs && performance.now() - started < maxMs) await sleep(10);
  } finally {
    server.off('connection', seen);
  }
  // Stop accepting; net.Server's close leaves open connections alone (http.Server's would close idle ones).
  NetServer.prototype.close.call(server);
  // Read what the accepted connections sent, so their requests are in flight, not "idle".
  for (let i = 0; i < 3; i++) await sleep(5);
}
