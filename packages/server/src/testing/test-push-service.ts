import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { opensslCert } from './run-openssl.js';
import { tempDataDir } from './test-server.js';

/** One request a push service received. */
export interface PushDelivery {
  /** The endpoint path, e.g. /push/phone. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A push service on 127.0.0.1 over https (its own self-signed certificate, made by openssl): it
 * records every POST and answers 201, or `statusFor(path)` when that gives one (410 for a gone
 * subscription). The server under test trusts it through `push.ca = service.ca`.
 */
export class TestPushService {
  private constructor(
    /** Every request received, in arrival order. */
    readonly deliveries: PushDelivery[],
    private readonly server: Server,
    readonly ca: string,
    readonly origin: string,
    private readonly removeDir: () => void,
  ) {}

  static async start(statusFor: (path: string) => number | undefined = () => undefined) {
    const dir = tempDataDir('baton-push-service-');
    const { cert, key } = await opensslCert(dir.dir, '127.0.0.1', 'IP:127.0.0.1');
    const ca = readFileSync(cert, 'utf8');
    const deliveries: PushDelivery[] = [];
    const server = createServer({ cert: ca, key: readFileSync(key, 'utf8') }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        deliveries.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(statusFor(path) ?? 201, {
          location: `${path}/messages/${deliveries.length}`,
        });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TestPushService(deliveries, server, ca, `https://127.0.0.1:${port}`, dir.remove);
  }

  /** The endpoint URL of a subscription named `name`. */
  endpoint(name: string): string {
    return `${this.origin}/push/${name}`;
  }

  to(name: string): PushDelivery[] {
    return this.deliveries.filter((d) => d.path === `/push/${name}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.removeDir();
  }
}
