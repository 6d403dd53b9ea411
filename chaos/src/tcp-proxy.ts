import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  server: Socket;
}

/**
 * A TCP proxy the tests control, between clients and the server: it can cut every connection
 * at once (as a network failure would), stall them (packets stop, sockets stay open), or stop
 * forwarding only the server's bytes to the client (a client that stopped reading, as the
 * server sees it: its writes back up).
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  private downstreamStalled = false;
  private listener: Server | undefined;
  /** Connections accepted since the proxy started. */
  accepted = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** Starts listening on 127.0.0.1; resolves with the proxy's port. */
  listen(port = 0): Promise<number> {
    const listener = createServer((client) => this.accept(client));
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        const address = listener.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  private accept(client: Socket): void {
    this.accepted++;
    const server = connect(this.targetPort, this.targetHost);
    const pair = { client, server };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket, isDownstream: boolean) => {
      from.on('data', (chunk) => {
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (!this.isStalled(isDownstream)) from.resume();
      });
      if (this.isStalled(isDownstream)) from.pause();
    };
    forward(client, server, false);
    forward(server, client, true);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('close', end);
    server.on('close', end);
    client.on('error', end);
    server.on('error', end);
  }

  private isStalled(isDownstream: boolean): boolean {
    return this.stalled || (isDownstream && this.downstreamStalled);
  }

  /** Drops every open connection at once. New connections are accepted as before. */
  cutAll(): number {
    const n = this.pairs.size;
    for (const { client, server } of this.pairs) {
      client.destroy();
      server.destroy();
    }
    this.pairs.clear();
    return n;
  }

  /** Stops (true) or restarts (false) forwarding in both directions on every connection. */
  stall(on: boolean): void {
    this.stalled = on;
    this.applyPauses();
  }

  /** Stops (true) or restarts (false) forwarding from the server to the clients only. */
  stallDownstream(on: boolean): void {
    this.downstreamStalled = on;
    this.applyPauses();
  }

  private applyPauses(): void {
    for (const { client, server } of this.pairs) {
      if (this.stalled) client.pause();
      else client.resume();
      if (this.isStalled(true)) server.pause();
      else server.resume();
    }
  }

  /** Open connections right now. */
  get size(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) =>
      this.listener ? this.listener.close(() => resolve()) : resolve(),
    );
  }
}
