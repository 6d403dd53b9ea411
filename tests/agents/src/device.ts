import { WebSocket } from 'ws';
import { uploadAttachment } from '@baton/client';
import {
  PROTOCOL_VERSION,
  WEBSOCKET_PATH,
  isKnownLogEvent,
  parseServerFrame,
  type ConnectionMode,
  type LogEvent,
  type MessageAttachment,
  type ServerMessage,
  type SnapshotMessage,
} from '@baton/protocol';

/** A stream frame as a device received it, with the time it arrived. */
export interface ReceivedDelta {
  messageId: string;
  channel: 'text' | 'thinking';
  delta: string;
  at: number;
}

/**
 * One device in a conformance test: a raw WebSocket speaking baton's protocol, recording every
 * committed event and streaming fragment of the sessions it subscribed to.
 */
export class Device {
  readonly events: LogEvent[] = [];
  readonly deltas: ReceivedDelta[] = [];
  readonly errors: ServerMessage[] = [];
  /** Snapshots received instead of compacted events; `events` continue after the last one. */
  readonly snapshots: SnapshotMessage[] = [];
  private lastSeq = 0;
  private nextRid = 1;
  private readonly replies = new Map<number, (m: ServerMessage) => void>();
  private readonly acks = new Map<string, (m: ServerMessage) => void>();

  private constructor(
    private readonly ws: WebSocket,
    readonly name: string,
    private readonly http: { baseUrl: string; token: string },
  ) {
    ws.on('message', (data) => this.onFrame(String(data)));
  }

  /** Registers a device with the owner token and connects it. */
  static async register(
    baseUrl: string,
    ownerToken: string,
    name: string,
    mode: ConnectionMode,
  ): Promise<Device> {
    const res = await fetch(`${baseUrl}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, mode }),
    });
    if (!res.ok) throw new Error(`registering ${name} failed: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    return Device.connect(baseUrl, token, name, mode);
  }

  static async connect(
    baseUrl: string,
    token: string,
    name: string,
    mode: ConnectionMode,
  ): Promise<Device> {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + WEBSOCKET_PATH);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const device = new Device(ws, name, { baseUrl, token });
    const welcome = new Promise<void>((resolve, reject) => {
      const onMessage = (data: unknown) => {
        const parsed = parseServerFrame(String(data));
        if (parsed.ok && parsed.value.type === 'welcome') {
          ws.off('message', onMessage);
          resolve();
        } else if (parsed.ok && parsed.value.type === 'error') {
          reject(new Error(`hello refused: ${parsed.value.message}`));
        }
      };
      ws.on('message', onMessage);
    });
    ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, token, mode, label: name }));
    await welcome;
    return device;
  }

  /** Sends a request and resolves with its reply's result; rejects with an error frame's text. */
  request<T = unknown>(message: Record<string, unknown>): Promise<T> {
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(rid, (m) => {
        if (m.type === 'reply') resolve(m.result as T);
        else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
      });
      this.ws.send(JSON.stringify({ ...message, rid }));
    });
  }

  /** Subscribes from `afterSeq` (the whole log by default); events then continue gap-free. */
  async subscribe(sessionId: string, afterSeq = 0): Promise<void> {
    this.lastSeq = afterSeq;
    await this.request({ type: 'subscribe', sessionId, afterSeq });
  }

  /** The seq of the last event or snapshot this device received. */
  get position(): number {
    return this.lastSeq;
  }

  /** Uploads an image or file for a message of `sessionId`, as this device; returns its reference. */
  async attach(sessionId: string, bytes: Uint8Array, name: string): Promise<MessageAttachment> {
    const { attachment } = await uploadAttachment(
      this.http.baseUrl,
      this.http.token,
      sessionId,
      bytes,
    );
    return { id: attachment.id, name };
  }

  /** Submits a chat message (with `attachments`, if any) and resolves with its seq once acknowledged. */
  say(
    sessionId: string,
    inputId: string,
    text: string,
    attachments?: MessageAttachment[],
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.acks.set(inputId, (m) => {
        if (m.type === 'ack') resolve(m.seq);
        else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
      });
      this.ws.send(
        JSON.stringify({
          type: 'input',
          sessionId,
          inputId,
          payload: { kind: 'message', text, ...(attachments ? { attachments } : {}) },
        }),
      );
    });
  }

  /** Types into a terminal session and resolves with the seq once acknowledged. */
  type(sessionId: string, inputId: string, data: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.acks.set(inputId, (m) => {
        if (m.type === 'ack') resolve(m.seq);
        else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
      });
      this.ws.send(
        JSON.stringify({ type: 'input', sessionId, inputId, payload: { kind: 'terminal', data } }),
      );
    });
  }

  /** Everything the terminal printed so far, in log order. */
  terminalText(): string {
    return this.ofType('terminal.output')
      .map((e) => e.data.data)
      .join('');
  }

  /** Polls until `check` holds, failing with `what` after `timeoutMs`. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: timed out waiting for ${what}; events: ${this.summary()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Events of one type, in log order. */
  ofType<T extends LogEvent['type']>(type: T): Array<Extract<LogEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<LogEvent, { type: T }> => e.type === type);
  }

  /** The text streamed for one message, fragments joined in arrival order. */
  streamed(messageId: string): string {
    return this.deltas
      .filter((d) => d.messageId === messageId && d.channel === 'text')
      .map((d) => d.delta)
      .join('');
  }

  turnsEnded(): number {
    return this.ofType('agent.turn.ended').length;
  }

  summary(): string {
    return this.events.map((e) => `${e.seq}:${e.type}`).join(' ');
  }

  close(): void {
    this.ws.close();
  }

  private onFrame(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) throw new Error(`${this.name} got an invalid frame: ${parsed.error.message}`);
    const m = parsed.value;
    switch (m.type) {
      case 'event': {
        if (this.lastSeq > 0 && m.event.seq !== this.lastSeq + 1) {
          throw new Error(`${this.name}: gap in the log: ${this.lastSeq} then ${m.event.seq}`);
        }
        this.lastSeq = m.event.seq;
        if (isKnownLogEvent(m.event)) this.events.push(m.event);
        return;
      }
      case 'snapshot':
        this.snapshots.push(m);
        this.lastSeq = m.seq;
        return;
      case 'stream':
        this.deltas.push({
          messageId: m.messageId,
          channel: m.channel,
          delta: m.delta,
          at: performance.now(),
        });
        return;
      case 'reply':
        this.replies.get(Number(m.rid))?.(m);
        this.replies.delete(Number(m.rid));
        return;
      case 'ack':
        this.acks.get(m.inputId)?.(m);
        this.acks.delete(m.inputId);
        return;
      case 'error':
        this.errors.push(m);
        if (m.rid !== undefined) {
          this.replies.get(Number(m.rid))?.(m);
          this.replies.delete(Number(m.rid));
        }
        if (m.inputId !== undefined) {
          this.acks.get(m.inputId)?.(m);
          this.acks.delete(m.inputId);
        }
        return;
      default:
        return;
    }
  }
}
