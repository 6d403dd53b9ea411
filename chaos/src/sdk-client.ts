import { BatonClient, type SealingStore } from '@baton/client';
import WebSocket from 'ws';
import { honestPayload, type ChaosClient } from './chaos-client.js';
import type { HonestClientOptions } from './honest-client.js';
import type { ClientHistory, Segment } from './history.js';
import { stableStringify } from './stable-json.js';

/**
 * An honest device built on the SDK (`BatonClient` from `@baton/client`), so that its reconnect,
 * outbox and gap fill run under every fault. It records the same history as the raw client, with
 * one difference that makes the check stronger: the SDK promises one gap-free, in-order stream of
 * events per session across every reconnect (`event` fires once per event, `snapshot` replaces the
 * view), so the whole run is one segment starting at 0, not one per subscription.
 */
export class SdkClient implements ChaosClient {
  private readonly history: ClientHistory;
  private readonly segment: Segment = { afterSeq: 0, items: [] };
  private readonly pending = new Set<string>();
  private client: BatonClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private submitted = 0;
  private lastSeq = 0;
  readonly unexpectedErrors: string[] = [];
  rejected = 0;
  connects = 0;
  /** Terminal inputs the SDK dropped unsent because they waited too long (by design). */
  dropped = 0;
  /** The client's last connection state and how many inputs it submitted, for the report. */
  lastState = 'not started';

  /**
   * `sealingStore`: the keys of the device this client is (paired with the session's host by
   * link). The SDK then seals every input and opens and verifies every event and stream fragment
   * before handing it over; the history records the opened events, and a refusal is an error.
   */
  constructor(readonly options: HonestClientOptions & { sealingStore?: SealingStore }) {
    this.history = {
      client: options.name,
      sessionId: options.sessionId,
      ...(options.sealingStore ? { opened: true } : {}),
      submitted: [],
      acks: [],
      segments: [this.segment],
    };
  }

  get name(): string {
    return this.options.name;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get position(): number {
    return this.lastSeq;
  }

  get done(): boolean {
    return this.submitted >= this.options.inputs && this.pending.size === 0;
  }

  get acked(): number {
    return new Set(this.history.acks.map((a) => a.inputId)).size;
  }

  start(): void {
    const client = new BatonClient({
      url: this.options.wsUrl,
      token: this.options.token,
      mode: 'headless',
      label: this.options.name,
      WebSocket: WebSocket as never,
      watchSessions: false,
      // Faults come every second or so: reconnect quickly, as a device on a flaky link would.
      backoff: { baseMs: 100, capMs: 1000 },
      requestTimeoutMs: 5000,
      handshakeTimeoutMs: 5000,
      pongTimeoutMs: 3000,
      ...(this.options.sealingStore ? { sealing: { store: this.options.sealingStore } } : {}),
    });
    this.client = client;
    const sessionId = this.options.sessionId;
    client.on('state', (state) => {
      if (this.client !== client) return;
      this.lastState = `${JSON.stringify(state).slice(0, 160)}, ${this.submitted} submitted`;
      if (state.status === 'connected') this.connects++;
    });
    client.on('event', ({ sessionId: id, event }) => {
      if (id !== sessionId) return;
      this.segment.items.push({
        kind: 'event',
        event: { seq: event.seq, digest: stableStringify(event) },
      });
      this.lastSeq = Math.max(this.lastSeq, event.seq);
    });
    client.on('snapshot', ({ sessionId: id, base }) => {
      if (id !== sessionId) return;
      this.segment.items.push({ kind: 'snapshot', seq: base.seq });
      this.lastSeq = base.seq;
    });
    client.on('ack', (ack) => {
      this.history.acks.push({ inputId: ack.inputId, seq: ack.seq, duplicate: ack.duplicate });
      this.pending.delete(ack.inputId);
    });
    client.on('inputFailed', ({ inputId, error }) => {
      if (this.pending.delete(inputId)) this.rejected++;
      this.unexpectedErrors.push(`input ${inputId} failed: ${error.code}: ${error.message}`);
    });
    client.on('error', (error) => {
      if (!error.retryable) this.unexpectedErrors.push(`${error.code}: ${error.message}`);
    });
    client.connect();
    client.subscribe(sessionId);
    this.timer = setInterval(() => this.submitRound(), this.options.intervalMs);
  }

  /**
   * One new input per round while fewer than `window` are unconfirmed. The SDK's outbox holds and
   * resends them across reconnects; this client never resends anything itself.
   */
  private submitRound(): void {
    const client = this.client;
    if (!client || this.submitted >= this.options.inputs) return;
    if (this.pending.size >= this.options.window) return;
    this.submitted++;
    const head = `${this.options.name}-${this.submitted} `;
    const text = head + 'x'.repeat(Math.max(0, (this.options.textBytes ?? 64) - head.length));
    const input = client.send(
      this.options.sessionId,
      honestPayload(this.options.inputKind ?? 'message', text),
    );
    this.pending.add(input.inputId);
    this.history.submitted.push(input.inputId);
    // Acks are recorded from the `ack` event; a rejection from `inputFailed`. A terminal input
    // the SDK could not send within TERMINAL_INPUT_TTL_MS (a relay restart can take longer) is
    // dropped by design, unsent, with no `inputFailed`: it is answered, never acknowledged.
    input.confirmed.catch(() => {
      if (this.pending.delete(input.inputId)) this.dropped++;
    });
  }

  result(): ClientHistory {
    return this.history;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    client?.close().catch(() => undefined);
  }
}
