import { newInputId } from '@baton/client';
import WebSocket from 'ws';
import type { ClientSpec, Connection, ConnectionEvents } from './connection.js';

interface WireEvent {
  seq: number;
  type: string;
  data: { payload?: { text?: string }; data?: string };
}

interface Frame {
  type: string;
  rid?: number | string;
  seq?: number;
  code?: string;
  message?: string;
  event?: WireEvent;
  /** A replay page (`events`), for a connection that asked for them. */
  events?: WireEvent[];
}

/**
 * A baton device speaking the wire protocol directly over `ws` (hello, subscribe, input). It keeps
 * the last sequence number it applied and resumes from it, so a cut must cost nothing: any
 * sequence gap it sees is recorded as an anomaly. Like the SDK it stands for, it asks for replay
 * pages (`events` frames) unless told not to, and applies each event of a page as if alone.
 */
export class BatonConnection implements Connection {
  readonly anomalies: string[] = [];
  private socket: WebSocket | undefined;
  private lastSeq = 0;
  private rid = 0;

  constructor(
    private readonly url: string,
    private readonly spec: ClientSpec,
    private readonly events: ConnectionEvents,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { perMessageDeflate: false });
      this.socket = socket;
      const subscribeRid = ++this.rid;
      socket.on('error', reject);
      socket.on('close', (code, reason) => {
        reject(new Error(`closed ${code} ${String(reason)}`));
      });
      socket.on('open', () => {
        socket.send(
          JSON.stringify({
            type: 'hello',
            v: 2,
            token: this.spec.token,
            mode: 'headless',
            eventPages: true,
            livePages: true,
          }),
        );
      });
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        switch (frame.type) {
          case 'event':
            if (frame.event) this.onEvent(frame.event);
            return;
          case 'events':
            for (const event of frame.events ?? []) this.onEvent(event);
            return;
          case 'snapshot':
            this.lastSeq = frame.seq ?? this.lastSeq;
            return;
          case 'welcome':
            if (!this.spec.subscribe) return resolve();
            socket.send(
              JSON.stringify({
                type: 'subscribe',
                rid: subscribeRid,
                sessionId: this.spec.room,
                afterSeq: this.lastSeq,
              }),
            );
            return;
          case 'reply':
            if (frame.rid === subscribeRid) resolve();
            return;
          case 'error':
            this.anomalies.push(`error ${frame.code}: ${frame.message}`);
            if (frame.rid === subscribeRid) reject(new Error(`${frame.code}: ${frame.message}`));
            return;
          default:
            return;
        }
      });
    });
  }

  private onEvent(event: WireEvent): void {
    if (event.seq !== this.lastSeq + 1) {
      this.anomalies.push(`seq ${event.seq} after ${this.lastSeq}`);
    }
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    if (event.type === 'input') {
      const text = event.data.payload?.text;
      if (text !== undefined) this.events.onText(text);
    } else {
      this.events.onOther(event.data.data?.length ?? 0);
    }
  }

  submit(_msgId: string, text: string): void {
    // The message is told by its text; the input id is the kind the SDK makes (time-ordered),
    // since what the server's dedupe index costs depends on it (docs/benchmarks.md).
    this.socket?.send(
      JSON.stringify({
        type: 'input',
        sessionId: this.spec.room,
        inputId: newInputId(),
        payload: { kind: 'message', text },
      }),
    );
  }

  cut(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.terminate();
  }

  resume(): Promise<void> {
    return this.open();
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.close();
  }
}
