import { PROTOCOL_VERSION } from '@baton/protocol';
import type { WebSocketLike } from '../web-socket-like.js';

type Handlers = {
  open: Array<() => void>;
  message: Array<(event: { data: unknown }) => void>;
  close: Array<(event: { code: number; reason: string }) => void>;
  error: Array<(event: unknown) => void>;
};

/**
 * An in-memory WebSocket for unit tests of a single module. Each instance is recorded in
 * `FakeSocket.instances`; a test plays the server by calling `open`, `receive` and `serverClose`.
 */
export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly sent: unknown[] = [];
  readonly url: string;
  closedWith: number | undefined;
  readonly #handlers: Handlers = { open: [], message: [], close: [], error: [] };

  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static get last(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  addEventListener(type: keyof Handlers, listener: never): void {
    (this.#handlers[type] as unknown[]).push(listener);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.closedWith = code ?? 1000;
    this.readyState = 3;
    for (const h of this.#handlers.close) h({ code: this.closedWith, reason: '' });
  }

  /** Frames the client sent with this `type`. */
  sentOf(type: string): Array<Record<string, unknown>> {
    return (this.sent as Array<Record<string, unknown>>).filter((f) => f['type'] === type);
  }

  open(): void {
    this.readyState = 1;
    for (const h of this.#handlers.open) h();
  }

  receive(frame: unknown): void {
    for (const h of this.#handlers.message) h({ data: JSON.stringify(frame) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    for (const h of this.#handlers.close) h({ code, reason });
  }

  /** Opens and answers `hello` with a `welcome`. */
  handshake(): void {
    this.open();
    this.receive({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: 'c1',
      deviceId: 'd1',
      deviceName: 'test',
      heartbeatMs: 15_000,
      maxFrameBytes: 1 << 20,
    });
  }
}
