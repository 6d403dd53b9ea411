import WebSocket from 'ws';
import type { ClientSpec, Connection, ConnectionEvents } from './connection.js';

/**
 * A client of the raw `ws` broadcast server. It keeps the number of the last broadcast it got
 * and resumes after it, from the frames the server keeps in memory; a gap is an anomaly.
 */
export class WsConnection implements Connection {
  readonly anomalies: string[] = [];
  private socket: WebSocket | undefined;
  /** The last broadcast number applied; undefined until the first subscribe. */
  private lastSeq: number | undefined;

  constructor(
    private readonly url: string,
    private readonly spec: ClientSpec,
    private readonly events: ConnectionEvents,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { perMessageDeflate: false });
      this.socket = socket;
      socket.on('error', reject);
      socket.on('open', () => {
        if (!this.spec.subscribe) return resolve();
        const sub: Record<string, unknown> = { t: 'sub', r: this.spec.room };
        if (this.lastSeq !== undefined) sub['after'] = this.lastSeq;
        socket.send(JSON.stringify(sub));
      });
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data)) as {
          t: string;
          s?: number;
          text?: string;
          head?: number;
        };
        if (msg.t === 'ev' && msg.text !== undefined) {
          if (msg.s !== undefined) {
            if (this.lastSeq !== undefined && msg.s !== this.lastSeq + 1)
              this.anomalies.push(`s ${msg.s} after ${this.lastSeq}`);
            this.lastSeq = msg.s;
          }
          this.events.onText(msg.text);
        } else if (msg.t === 'subscribed') {
          // A first subscribe starts live, from the room's head.
          this.lastSeq ??= msg.head;
          resolve();
        }
      });
    });
  }

  submit(_msgId: string, text: string): void {
    this.socket?.send(JSON.stringify({ t: 'in', r: this.spec.room, text }));
  }

  cut(): void {
    this.socket?.terminate();
  }

  resume(): Promise<void> {
    return this.open();
  }

  close(): void {
    this.socket?.close();
  }
}
