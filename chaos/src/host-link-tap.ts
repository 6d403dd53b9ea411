import { createServer, request, type Server } from 'node:http';
import { HOST_LINK_PATH } from '@baton/protocol';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { stableStringify } from './stable-json.js';

/** One `out` of the host as the tap saw it: the content of each event it carries. */
export interface TappedOut {
  n: number;
  /** `stableStringify({type, data})` of each event; undefined for a status `out`. */
  events: string[] | undefined;
  /** The same `n` was sent again with other content (a host bug). */
  changed: boolean;
}

/** Per session: every `out` the host sent, and the numbers the relay acknowledged. */
export interface SessionTap {
  outs: Map<number, TappedOut>;
  acked: Set<number>;
}

interface OutFrame {
  type: 'out';
  sessionId: string;
  n: number;
  body: { kind: string; events?: { type: string; data: unknown }[] };
}

/** Close codes a peer may send on the wire (1005, 1006 and 1015 are only ever reported). */
const sendable = (code: number) =>
  (code >= 1000 && code <= 1014 && code !== 1005 && code !== 1006) ||
  (code >= 3000 && code <= 4999);

/**
 * A forwarding proxy between `baton host` and the relay that reads the host link
 * (docs/relay.md, "The host link") as it passes: every `out` the host sends and every `out.ack`
 * the relay answers. The checker then knows what the relay acknowledged — which the host forgets
 * at once — and can check that each acknowledged `out` is in the relay's log, once, in order.
 * HTTP (the host's pairing) is forwarded as is. A link that ends on one side is ended on the
 * other with the same close code, or dropped (1006) when the code cannot be sent, as a relay
 * killed with `kill -9` drops it.
 */
export class HostLinkTap {
  readonly sessions = new Map<string, SessionTap>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();

  constructor(readonly relayPort: number) {
    this.server = createServer((req, res) => {
      const up = request(
        {
          host: '127.0.0.1',
          port: relayPort,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: `127.0.0.1:${relayPort}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    });
    this.wss = new WebSocketServer({ server: this.server, path: HOST_LINK_PATH });
    this.wss.on('connection', (down) => this.link(down));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  private session(id: string): SessionTap {
    let tap = this.sessions.get(id);
    if (!tap) {
      tap = { outs: new Map(), acked: new Set() };
      this.sessions.set(id, tap);
    }
    return tap;
  }

  private link(down: WebSocket): void {
    const up = new WebSocket(`ws://127.0.0.1:${this.relayPort}${HOST_LINK_PATH}`);
    this.sockets.add(down).add(up);
    const queued: { data: RawData; binary: boolean }[] = [];
    up.on('open', () => {
      for (const q of queued.splice(0)) up.send(q.data, { binary: q.binary });
    });
    down.on('message', (data, binary) => {
      if (!binary) this.fromHost(String(data));
      if (up.readyState === WebSocket.OPEN) up.send(data, { binary });
      else queued.push({ data, binary });
    });
    up.on('message', (data, binary) => {
      if (!binary) this.fromRelay(String(data));
      if (down.readyState === WebSocket.OPEN) down.send(data, { binary });
    });
    const end = (other: WebSocket) => (code: number, reason: Buffer) => {
      if (other.readyState === WebSocket.CLOSED) return;
      if (sendable(code) && other.readyState === WebSocket.OPEN) other.close(code, reason);
      else other.terminate();
    };
    down.on('close', end(up));
    up.on('close', end(down));
    down.on('error', () => up.terminate());
    up.on('error', () => down.terminate());
    down.on('close', () => this.sockets.delete(down));
    up.on('close', () => this.sockets.delete(up));
  }

  private fromHost(text: string): void {
    let frame: Partial<OutFrame>;
    try {
      frame = JSON.parse(text) as Partial<OutFrame>;
    } catch {
      return;
    }
    if (frame.type !== 'out' || typeof frame.sessionId !== 'string') return;
    if (typeof frame.n !== 'number' || !frame.body) return;
    const events =
      frame.body.kind === 'events'
        ? (frame.body.events ?? []).map((e) => stableStringify({ type: e.type, data: e.data }))
        : undefined;
    const outs = this.session(frame.sessionId).outs;
    const earlier = outs.get(frame.n);
    if (!earlier) outs.set(frame.n, { n: frame.n, events, changed: false });
    else if (JSON.stringify(earlier.events) !== JSON.stringify(events)) earlier.changed = true;
  }

  private fromRelay(text: string): void {
    let frame: { type?: unknown; sessionId?: unknown; n?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    if (frame.type !== 'out.ack' || typeof frame.sessionId !== 'string') return;
    if (typeof frame.n === 'number') this.session(frame.sessionId).acked.add(frame.n);
  }

  /**
   * A copy of what the tap saw until now: read before the relay's log, so that every `out`
   * acknowledged in it was committed before the log was read.
   */
  snapshot(): Map<string, SessionTap> {
    const copy = new Map<string, SessionTap>();
    for (const [id, tap] of this.sessions)
      copy.set(id, {
        outs: new Map([...tap.outs].map(([n, o]) => [n, { ...o }])),
        acked: new Set(tap.acked),
      });
    return copy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
