import WebSocket from 'ws';
import { honestPayload, type ChaosClient, type InputKind } from './chaos-client.js';
import type { ClientHistory, Segment } from './history.js';
import { stableStringify } from './stable-json.js';

export interface HonestClientOptions {
  /** Name in the history and prefix of its input ids. */
  name: string;
  wsUrl: string;
  token: string;
  sessionId: string;
  /** Inputs to submit in total. */
  inputs: number;
  /** Unacknowledged inputs allowed in flight. */
  window: number;
  /** Pause between submission rounds. */
  intervalMs: number;
  /** Two connections of one device send every input at the same moment (same input id). */
  twin?: boolean;
  /** Resume from an earlier sequence number than the last one seen (sometimes from 0). */
  staleResume?: boolean;
  textBytes?: number;
  /** Chat messages (default) or lines typed into a terminal session. */
  inputKind?: InputKind;
  /**
   * A sealed session: seals each input's payload as this client's paired device (once; every
   * retry sends the same envelope under the same input id).
   */
  seal?: (inputId: string, payload: ReturnType<typeof honestPayload>) => Promise<unknown>;
}

interface Frame {
  type: string;
  rid?: number;
  sessionId?: string;
  inputId?: string;
  seq?: number;
  duplicate?: boolean;
  code?: string;
  message?: string;
  event?: { seq: number };
}

const RETRYABLE = new Set(['rate_limited', 'unavailable', 'internal']);

/**
 * A well-behaved device that records a Jepsen-style history. It retries every unacknowledged
 * input with the same input id after any failure, reconnects with a short backoff, and resumes
 * each subscription from the last event it saw (or, when told to, from a stale one).
 */
export class HonestClient implements ChaosClient {
  /** Unacknowledged inputs and the payload each is sent with (sealed once, if sealing). */
  private readonly pending = new Map<string, unknown>();
  /** Inputs being sealed: counted against the window, sent once sealed. */
  private sealing = 0;
  private readonly history: ClientHistory;
  private readonly conns: Conn[];
  private next = 1;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Error frames that no honest client should get (anything but a retryable one). */
  readonly unexpectedErrors: string[] = [];
  rejected = 0;
  connects = 0;

  constructor(readonly options: HonestClientOptions) {
    this.history = {
      client: options.name,
      sessionId: options.sessionId,
      submitted: [],
      acks: [],
      segments: [],
    };
    this.conns = Array.from({ length: options.twin ? 2 : 1 }, () => new Conn(this));
  }

  get name(): string {
    return this.options.name;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get position(): number {
    return Math.min(...this.conns.map((c) => c.position));
  }

  start(): void {
    for (const c of this.conns) c.connect();
    this.timer = setInterval(() => this.submitRound(), this.options.intervalMs);
  }

  /** Every input submitted and answered (acknowledged, or rejected for good). */
  get done(): boolean {
    return this.next > this.options.inputs && this.pending.size === 0 && this.sealing === 0;
  }

  get acked(): number {
    return new Set(this.history.acks.map((a) => a.inputId)).size;
  }

  private submitRound(): void {
    const ready = this.conns.filter((c) => c.ready);
    if (ready.length === 0) return;
    // One new input per round: the run's length is set by the interval, not by the server's speed.
    if (
      this.next <= this.options.inputs &&
      this.pending.size + this.sealing < this.options.window
    ) {
      const inputId = `${this.options.name}-${this.next++}`;
      const head = `${inputId} `;
      const text = head + 'x'.repeat(Math.max(0, (this.options.textBytes ?? 64) - head.length));
      const payload = honestPayload(this.options.inputKind ?? 'message', text);
      this.history.submitted.push(inputId);
      const seal = this.options.seal;
      if (!seal) return this.submit(inputId, payload);
      this.sealing++;
      seal(inputId, payload).then(
        (sealed) => {
          this.sealing--;
          this.submit(inputId, sealed);
        },
        (error: unknown) => {
          this.sealing--;
          this.rejected++;
          this.unexpectedErrors.push(`sealing ${inputId} failed: ${(error as Error).message}`);
        },
      );
    }
  }

  private submit(inputId: string, payload: unknown): void {
    this.pending.set(inputId, payload);
    for (const c of this.conns) c.sendInput(inputId, payload);
  }

  /** @internal */
  onSubscribed(conn: Conn): void {
    for (const [inputId, payload] of this.pending) conn.sendInput(inputId, payload);
  }

  /** @internal */
  onFrame(conn: Conn, frame: Frame): void {
    if (frame.type === 'ack' && frame.inputId !== undefined && frame.seq !== undefined) {
      this.history.acks.push({
        inputId: frame.inputId,
        seq: frame.seq,
        duplicate: frame.duplicate ?? false,
      });
      this.pending.delete(frame.inputId);
    } else if (frame.type === 'error') {
      const code = frame.code ?? '';
      if (frame.inputId !== undefined) {
        if (RETRYABLE.has(code)) {
          const payload = this.pending.get(frame.inputId);
          if (payload !== undefined)
            setTimeout(() => conn.sendInput(frame.inputId ?? '', payload), 100);
          return;
        }
        // A twin's copy can lose the race and still be acked on the other connection.
        if (this.pending.delete(frame.inputId)) this.rejected++;
        this.unexpectedErrors.push(`${code}: ${frame.message}`);
      } else if (!RETRYABLE.has(code)) {
        this.unexpectedErrors.push(`${code}: ${frame.message}`);
      }
    }
  }

  /** @internal */
  newSegment(afterSeq: number): Segment {
    const segment: Segment = { afterSeq, items: [] };
    this.history.segments.push(segment);
    return segment;
  }

  /** @internal */
  get isStopped(): boolean {
    return this.stopped;
  }

  result(): ClientHistory {
    return this.history;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns) c.close();
  }
}

/** One WebSocket of an honest client, reconnecting until the client stops. */
class Conn {
  private ws: WebSocket | undefined;
  private lastSeq = 0;
  private segment: Segment | undefined;
  ready = false;
  private rid = 0;

  constructor(private readonly client: HonestClient) {}

  /** The last sequence number this subscriber holds. */
  get position(): number {
    return this.lastSeq;
  }

  connect(): void {
    if (this.client.isStopped) return;
    const { wsUrl, token, sessionId, staleResume } = this.client.options;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    this.ws = ws;
    this.client.connects++;
    let subscribeRid = -1;
    const subscribe = () => {
      let afterSeq = this.lastSeq;
      if (staleResume && this.lastSeq > 0) {
        afterSeq =
          Math.random() < 0.2 ? 0 : Math.max(0, this.lastSeq - Math.floor(Math.random() * 50));
      }
      subscribeRid = ++this.rid;
      this.segment = this.client.newSegment(afterSeq);
      ws.send(JSON.stringify({ type: 'subscribe', rid: subscribeRid, sessionId, afterSeq }));
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1, token, mode: 'headless' })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame & { event?: unknown };
      if (frame.type === 'welcome') return subscribe();
      if (frame.type === 'reply' && frame.rid === subscribeRid) {
        this.ready = true;
        this.client.onSubscribed(this);
        return;
      }
      if (frame.type === 'error' && frame.rid === subscribeRid) {
        // The server may still be loading after a restart: try again shortly.
        setTimeout(() => ws.readyState === ws.OPEN && subscribe(), 200);
        return;
      }
      if (frame.type === 'event' && frame.sessionId === sessionId && frame.event) {
        const seq = (frame.event as { seq: number }).seq;
        this.segment?.items.push({
          kind: 'event',
          event: { seq, digest: stableStringify(frame.event) },
        });
        this.lastSeq = Math.max(this.lastSeq, seq);
        return;
      }
      if (frame.type === 'snapshot' && frame.sessionId === sessionId && frame.seq !== undefined) {
        this.segment?.items.push({ kind: 'snapshot', seq: frame.seq });
        this.lastSeq = frame.seq;
        return;
      }
      this.client.onFrame(this, frame);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.ready = false;
      if (this.ws !== ws) return;
      setTimeout(() => this.connect(), 50 + Math.random() * 150);
    });
  }

  sendInput(inputId: string, payload: unknown): void {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(
      JSON.stringify({ type: 'input', sessionId: this.client.options.sessionId, inputId, payload }),
    );
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
  }
}
