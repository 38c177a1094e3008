import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

/**
 * Makes the commands `redis` is given in one turn of the event loop leave in one write.
 * ioredis writes each command to its socket at once, one system call each; under load a
 * turn answers many requests (each a script call), that write was ~14% of a heartbeat's
 * server CPU in its profile, and Redis read each command on its own. The socket is corked
 * at a turn's first command and uncorked when the turn's I/O is done (setImmediate runs
 * after the poll phase), so a busy turn's commands go out together and their replies
 * come back together; a quiet server still writes each command in the turn it was made.
 * Nothing else changes: ioredis still queues each command for its reply, in order.
 */
export function oneWritePerTurn(redis: Redis): void {
  const send = redis.sendCommand;
  const corked = new WeakSet<Socket>();
  const uncork = (socket: Socket) => {
    corked.delete(socket);
    socket.uncork();
  };
  redis.sendCommand = function sendInTurn(this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    // ioredis's socket of the moment (a new one after each reconnect); not in its types.
    const socket = (this as unknown as { stream?: Socket }).stream;
    if (socket && !corked.has(socket)) {
      corked.add(socket);
      socket.cork();
      setImmediate(uncork, socket);
    }
    return send.apply(this, args);
  };
}
