import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { startServer, type RunningServer, type ServerOptions } from '@baton/server';
import { BatonClient, type BatonClientOptions } from '../baton-client.js';
import type { WebSocketConstructor, WebSocketLike } from '../web-socket-like.js';
import { echoAgent } from './echo-agent.js';

/**
 * Starts a quiet real server with the echo agent on `port` (0: a free one) in `dataDir`;
 * `options` overrides any other server option (a test's own limits).
 */
export function startTestServer(
  dataDir: string,
  port = 0,
  options: Partial<ServerOptions> = {},
): Promise<RunningServer> {
  return startServer({ dataDir, port, logLevel: 'error', runners: [echoAgent], ...options });
}

/**
 * A fresh temporary data directory, removed when the test process exits. Not in a `t.after`
 * hook: those run in the order registered, so the directory would go before the server that
 * the test starts afterwards has closed (and written its last files).
 */
export function tempDataDir(_t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-client-test-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A real `ws` WebSocket that records its instances and can be told to lose incoming frames,
 * to cut a connection at a chosen moment (a network fault, not a fake server).
 */
export function faultyWebSocket(): {
  WebSocket: WebSocketConstructor;
  sockets: WebSocket[];
  drop: { predicate: (frame: Record<string, unknown>) => boolean };
  /** While `down`, every new socket fails to connect (refused), as with the network gone. */
  network: { down: boolean };
} {
  const sockets: WebSocket[] = [];
  const drop = { predicate: (_frame: Record<string, unknown>) => false };
  const network = { down: false };
  class Faulty implements WebSocketLike {
    readonly #ws: WebSocket;
    constructor(url: string) {
      // Port 1 refuses the connection: the socket closes without ever opening.
      this.#ws = new WebSocket(network.down ? 'ws://127.0.0.1:1' : url);
      sockets.push(this.#ws);
    }
    get readyState(): number {
      return this.#ws.readyState;
    }
    send(data: string): void {
      this.#ws.send(data);
    }
    close(code?: number, reason?: string): void {
      this.#ws.close(code, reason);
    }
    addEventListener(type: string, listener: (event: never) => void): void {
      const ws = this.#ws;
      if (type === 'message') {
        ws.addEventListener('message', (event) => {
          const frame = JSON.parse(String(event.data)) as Record<string, unknown>;
          if (!drop.predicate(frame))
            (listener as (e: { data: unknown }) => void)({ data: event.data });
        });
      } else if (type === 'close') {
        ws.addEventListener('close', (event) =>
          (listener as (e: { code: number; reason: string }) => void)({
            code: event.code,
            reason: event.reason,
          }),
        );
      } else {
        ws.addEventListener(type as 'open', () => (listener as () => void)());
      }
    }
  }
  return { WebSocket: Faulty as unknown as WebSocketConstructor, sockets, drop, network };
}

/** A connected client on `server`, closed when the test ends. */
export async function connectedClient(
  t: TestContext,
  server: { wsUrl: string; ownerToken: string },
  options: Partial<BatonClientOptions> = {},
): Promise<BatonClient> {
  const client = new BatonClient({
    url: server.wsUrl,
    token: server.ownerToken,
    mode: 'headless',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: { baseMs: 50, capMs: 500 },
    ...options,
  });
  t.after(() => client.close());
  client.connect();
  await client.whenConnected(10_000);
  return client;
}

/** Polls `check` until it returns true, failing after `timeoutMs` with `what`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
