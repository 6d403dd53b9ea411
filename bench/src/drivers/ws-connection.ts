import WebSocket from 'ws';
import type { ClientSpec, Connection, ConnectionEvents } from './connection.js';

/** A client of the raw `ws` broadcast server. It has nothing to resume from: a cut loses events. */
export class WsConnection implements Connection {
  readonly anomalies: string[] = [];
  private socket: WebSocket | undefined;

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
        socket.send(JSON.stringify({ t: 'sub', r: this.spec.room }));
      });
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { t: string; text?: string };
        if (msg.t === 'ev' && msg.text !== undefined) this.events.onText(msg.text);
        else if (msg.t === 'subscribed') resolve();
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
