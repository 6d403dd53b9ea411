import { WebSocket } from 'ws';
import {
  DeviceSealing,
  MemorySealingStore,
  pairWithHost,
  uploadAttachment,
  type SealingStore,
  type SessionSealing,
} from '@baton/client';
import {
  PROTOCOL_VERSION,
  WEBSOCKET_PATH,
  isKnownLogEvent,
  parseServerFrame,
  type ConnectionMode,
  type InputPayload,
  type LogEvent,
  type ReceivedLogEvent,
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

/** A device paired with a sealing host by link: its keys and its credential at the relay. */
export interface DeviceKeys {
  readonly store: SealingStore;
  readonly deviceId: string;
  readonly hostId: string;
  readonly token: string;
}

/**
 * One device in a conformance test: a raw WebSocket speaking baton's protocol, recording every
 * committed event and streaming fragment of the sessions it subscribed to.
 *
 * With `keys` (paired with a sealing host, `Device.pair`), the sessions it touches are sealed:
 * it seals every input and opens every event and stream fragment with the SDK's
 * `SessionSealing` (signature, place, tag, then each author's counter in log order) before
 * recording it. What does not open is recorded in `refused` (seq and reason), never shown, and
 * `waitFor` fails at once.
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
  /** Sealed events and fragments that did not open or verify: `#seq code: message`. */
  readonly refused: string[] = [];
  /** Opening is async: events and fragments are opened one after another, in arrival order. */
  private opening: Promise<void> = Promise.resolve();
  private sealingDevice: Promise<DeviceSealing> | undefined;
  private readonly sealings = new Map<string, Promise<SessionSealing>>();

  private constructor(
    private readonly ws: WebSocket,
    readonly name: string,
    private readonly http: { baseUrl: string; token: string },
    private readonly keys: DeviceKeys | undefined,
  ) {
    ws.on('message', (data) => this.onFrame(String(data)));
  }

  /**
   * Pairs a new device with a host through the SDK (`pairWithHost`), from the link
   * `baton host pair` printed: host keys pinned from the fragment, introduction MACed.
   */
  static async pair(link: string, name: string): Promise<DeviceKeys> {
    const store = new MemorySealingStore();
    const paired = await pairWithHost(link, { store, name });
    return { store, deviceId: paired.deviceId, hostId: paired.hostId, token: paired.token };
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
    keys?: DeviceKeys,
  ): Promise<Device> {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + WEBSOCKET_PATH);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const device = new Device(ws, name, { baseUrl, token }, keys);
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
      this.sendInput(sessionId, inputId, {
        kind: 'message',
        text,
        ...(attachments ? { attachments } : {}),
      }).catch(reject);
    });
  }

  /** Types into a terminal session and resolves with the seq once acknowledged. */
  type(sessionId: string, inputId: string, data: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.acks.set(inputId, (m) => {
        if (m.type === 'ack') resolve(m.seq);
        else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
      });
      this.sendInput(sessionId, inputId, { kind: 'terminal', data }).catch(reject);
    });
  }

  /** Sends an input, sealed first when this device holds keys. */
  private async sendInput(sessionId: string, inputId: string, payload: InputPayload) {
    const sealed = this.keys
      ? await (await this.sealing(sessionId)).sealInput(inputId, payload)
      : payload;
    this.ws.send(JSON.stringify({ type: 'input', sessionId, inputId, payload: sealed }));
  }

  /**
   * Waits until the host has wrapped the session's key to this device (it took the device's
   * introduction): before that it can neither seal nor open.
   */
  async keysFor(sessionId: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(`${this.http.baseUrl}/api/sessions/${sessionId}/keys`, {
        headers: { authorization: `Bearer ${this.http.token}` },
      });
      const body = res.ok ? ((await res.json()) as { wrapped?: { recipient?: string }[] }) : {};
      if (body.wrapped?.some((w) => w.recipient === this.keys?.deviceId)) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name}: the host never wrapped ${sessionId}'s key to it`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The SDK's sealing of one session for this device (loaded once). */
  private sealing(sessionId: string): Promise<SessionSealing> {
    const keys = this.keys;
    if (!keys) return Promise.reject(new Error(`${this.name} holds no keys`));
    let sealing = this.sealings.get(sessionId);
    if (!sealing) {
      this.sealingDevice ??= DeviceSealing.load(keys.store, {
        baseUrl: this.http.baseUrl,
        token: this.http.token,
      });
      sealing = this.sealingDevice.then(async (device) => {
        const session = await device.session(sessionId, keys.hostId);
        if (session.keyEpoch === 0) await session.refreshKeys();
        return session;
      });
      this.sealings.set(sessionId, sealing);
    }
    return sealing;
  }

  /** Opens one event (then its counter, in log order) and records it, or records the refusal. */
  private async openEvent(sessionId: string, event: ReceivedLogEvent): Promise<void> {
    try {
      const sealing = await this.sealing(sessionId);
      const opened = await sealing.openEvent(event);
      if (!opened.ok) {
        this.refused.push(`#${opened.seq} ${opened.code}: ${opened.message}`);
        return;
      }
      if (opened.sealedBy) sealing.admit(opened.sealedBy);
      if (isKnownLogEvent(opened.event)) this.events.push(opened.event);
    } catch (error) {
      this.refused.push(`#${event.seq} ${(error as Error).message}`);
    }
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
      if (this.refused.length > 0)
        throw new Error(`${this.name}: sealed bodies did not open: ${this.refused.join('; ')}`);
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
        if (this.keys) {
          const { sessionId, event } = m;
          this.opening = this.opening.then(() => this.openEvent(sessionId, event));
        } else if (isKnownLogEvent(m.event)) this.events.push(m.event);
        return;
      }
      case 'snapshot':
        this.snapshots.push(m);
        this.lastSeq = m.seq;
        return;
      case 'stream': {
        const at = performance.now();
        const record = (delta: string) =>
          this.deltas.push({ messageId: m.messageId, channel: m.channel, delta, at });
        if (!this.keys || (m.sealed === undefined && m.delta === '')) {
          record(m.delta);
          return;
        }
        // A sealed fragment is opened in turn with the events (text in the clear is refused).
        this.opening = this.opening.then(async () => {
          try {
            // Undefined: a repeat, or one after a gap, which the final event fills.
            const opened = await (await this.sealing(m.sessionId)).openStream(m);
            if (opened) record(opened.delta);
          } catch (error) {
            this.refused.push(`stream ${m.messageId}: ${(error as Error).message}`);
          }
        });
        return;
      }
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
