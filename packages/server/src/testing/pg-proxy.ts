import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL for fault tests of many nodes: `sever()` cuts every
 * connection through it and refuses new ones until `heal()` (a node cut off from PostgreSQL);
 * with `dropNotifications` it removes every NotificationResponse ('A') message PostgreSQL sends,
 * so the node behind it never hears a NOTIFY (what a lost notification looks like).
 */
export class PgProxy {
  private readonly sockets = new Set<Socket>();
  private severed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    target: { host: string; port: number },
    options: { dropNotifications?: boolean } = {},
  ): Promise<PgProxy> {
    const made: { proxy?: PgProxy } = {};
    const server = createServer((client) => {
      const proxy = made.proxy;
      if (!proxy || proxy.severed) {
        client.destroy();
        return;
      }
      const upstream = createConnection(target);
      proxy.sockets.add(client).add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        proxy.sockets.delete(client);
        proxy.sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      if (options.dropNotifications)
        upstream.on(
          'data',
          dropper((b) => client.write(b)),
        );
      else upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    made.proxy = new PgProxy(server, typeof address === 'object' && address ? address.port : 0);
    return made.proxy;
  }

  /** `url` (a postgres:// URL) pointed at this proxy. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  sever(): void {
    this.severed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.severed = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Passes PostgreSQL's backend messages on whole, except NotificationResponse. Every backend
 * message is a type byte and a 4-byte length that counts itself (the startup exchange too, from
 * this side), so the stream is cut at message boundaries.
 */
function dropper(write: (b: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (pending.length - at >= 5) {
      const length = pending.readUInt32BE(at + 1);
      if (pending.length - at < 1 + length) break;
      if (pending[at] !== 0x41) out.push(pending.subarray(at, at + 1 + length));
      at += 1 + length;
    }
    pending = pending.subarray(at);
    if (out.length > 0) write(Buffer.concat(out));
  };
}
