import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * Resolves in the check phase of a later turn of the event loop, that is just after a
 * poll phase, where pending connections are accepted and sockets read. (A timer alone
 * fires before the poll phase: after a long busy spell it would see the queue unread.)
 */
const afterPoll = (ms: number) => new Promise((resolve) => setTimeout(() => setImmediate(resolve), ms));

/**
 * The first step of shutdown: take in every request that already reached the socket,
 * then stop listening, without yet closing any connection. When the event loop was
 * busy (the embedded database runs on it), connections sit in the kernel's accept
 * queue, or accepted with their request not yet read; closing the server at once would
 * reset them (Node closes connections without a request in flight on close()). So
 * connections are taken until a poll phase finds none new and none has come for
 * `quietMs` (at most `maxMs` in all); only then is the listener closed, and the
 * accepted connections read. After this, closing the app answers everything it read.
 */
export async function takeInPendingRequests(server: Server, quietMs = 100, maxMs = 3_000): Promise<void> {
  if (!server.listening) return;
  let accepted = 0;
  let last = performance.now();
  const seen = () => {
    accepted += 1;
    last = performance.now();
  };
  server.on('connection', seen);
  const started = performance.now();
  try {
    for (;;) {
      const before = accepted;
      await afterPoll(10);
      const now = performance.now();
      if ((accepted === before && now - last >= quietMs) || now - started >= maxMs) break;
    }
  } finally {
    server.off('connection', seen);
  }
  // Stop accepting; net.Server's close leaves open connections alone (http.Server's would close idle ones).
  NetServer.prototype.close.call(server);
  // Read what the accepted connections sent, so their requests are in flight, not "idle".
  for (let i = 0; i < 3; i++) await afterPoll(1);
}
