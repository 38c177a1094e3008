import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy whose target can be switched, as a failover moves a service address to
 * another machine (switching drops every open connection, new ones reach the new
 * target), or cut, as a network partition would.
 */
export class SwitchableProxy {
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private targetPort: number | null,
  ) {}

  static async start(targetPort: number): Promise<SwitchableProxy> {
    const server = createServer();
    const proxy = new SwitchableProxy(server, targetPort);
    server.on('connection', (incoming) => proxy.#pipe(incoming));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  switchTo(targetPort: number): void {
    this.targetPort = targetPort;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Cuts the link: open connections drop and new ones are closed at once, until the next switch. */
  cut(): void {
    this.targetPort = null;
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #pipe(incoming: Socket): void {
    if (this.targetPort === null) {
      incoming.destroy();
      return;
    }
    const outgoing = connect(this.targetPort, '127.0.0.1');
    for (const socket of [incoming, outgoing]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  }
}
