import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/** A local stand-in for a server that fails in one way; loopback only. */
export interface BadServer {
  url: string;
  close(): Promise<void>;
}

/** A port nobody listens on: connections are refused at once. */
export async function closedPort(): Promise<BadServer> {
  const server = createServer();
  const port = await listen(server, 0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, close: async () => {} };
}

/** Accepts connections and never answers a byte, like a hung server or a black-holing proxy. */
export async function silentServer(port = 0): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const bound = await listen(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers every request with 503 and `Retry-After: 1`, for ever. */
export async function unavailableServer(port = 0): Promise<BadServer> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'Down for maintenance.' }));
  });
  const bound = await listen(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether `python3` can run the never-accepting listener. */
export const havePython = spawnSync('python3', ['-c', 'print(1)']).status === 0;

// A listening socket that never calls accept(), its backlog filled: new connections
// hang in the SYN stage, as with an unroutable host, without leaving the machine.
const NEVER_ACCEPT = `
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(0)
port = s.getsockname()[1]
fill = []
for _ in range(8):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.3)
print(port, flush=True)
sys.stdin.read()
`;

/** A listener that never accepts (backlog full): connects hang until the client gives up. */
export async function neverAcceptingListener(port = 0): Promise<BadServer> {
  const child: ChildProcess = spawn('python3', ['-c', NEVER_ACCEPT, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const bound = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function listen(server: Server | ReturnType<typeof createHttpServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
