import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type {
  Attachment,
  ConnectionMode,
  WireInputPayload,
  LogEvent,
  ReceivedLogEvent,
  ServerMessage,
} from '@baton/protocol';
import { PROTOCOL_VERSION, isKnownLogEvent, parseServerFrame } from '@baton/protocol';

export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The error code a request was refused with, or `accepted` when it was not refused. */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  return 'accepted';
}

/**
 * A minimal client that speaks the wire protocol directly, for tests of the server. It validates
 * every frame it receives against the protocol schemas, applies events strictly by the
 * `lastSeq + 1` rule, and records any violation instead of hiding it.
 */
export class ProtocolClient {
  readonly frames: ServerMessage[] = [];
  /** The confirmed log per session, as applied by the lastSeq + 1 rule. */
  readonly logs = new Map<string, LogEvent[]>();
  readonly lastSeq = new Map<string, number>();
  /** The epoch of each subscribed session's log, from the subscribe reply and snapshots. */
  readonly epochs = new Map<string, string>();
  /** Who is attached to each subscribed session, from `presence` and `presence.changed`. */
  readonly presence = new Map<string, Attachment[]>();
  /** The total attached to each subscribed session, as the server last said (`attachedCount`). */
  readonly presenceCount = new Map<string, number>();
  /** Events of types this client does not know, passed over as the protocol says. */
  readonly skipped: ReceivedLogEvent[] = [];
  /** Gaps, duplicates or invalid frames seen: must stay empty. */
  readonly violations: string[] = [];
  /** When each event (`session/seq`) was applied, as performance.now() ms: for latency measurements. */
  readonly arrivals = new Map<string, number>();
  private rid = 0;
  private readonly waiters = new Map<
    string | number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private readonly ackWaiters = new Map<
    string,
    { resolve(v: { seq: number; duplicate: boolean }): void; reject(e: Error): void }
  >();
  connectionId = '';
  deviceId = '';
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.onFrame(String(data)));
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.values())
        w.reject(new ProtocolError('closed', 'connection closed'));
      for (const w of this.ackWaiters.values())
        w.reject(new ProtocolError('closed', 'connection closed'));
      this.waiters.clear();
      this.ackWaiters.clear();
    });
  }

  static async connect(
    wsUrl: string,
    token: string,
    mode: ConnectionMode = 'headless',
    wsOptions: WebSocket.ClientOptions = {},
    version = PROTOCOL_VERSION,
    /**
     * What the hello adds: replay pages and live commits as pages (`events` frames), and the
     * window's name (`label`).
     */
    pages: { eventPages?: boolean; livePages?: boolean; label?: string } = {},
  ): Promise<ProtocolClient> {
    const ws = new WebSocket(wsUrl, wsOptions);
    const client = new ProtocolClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        v: version,
        token,
        mode,
        ...(pages.eventPages ? { eventPages: true } : {}),
        ...(pages.livePages ? { livePages: true } : {}),
        ...(pages.label !== undefined ? { label: pages.label } : {}),
      }),
    );
    const welcome = await client.waitFor((f) => f.type === 'welcome' || f.type === 'error', 5_000);
    if (welcome.type === 'error') throw new ProtocolError(welcome.code, welcome.message);
    if (welcome.type === 'welcome') {
      client.connectionId = welcome.connectionId;
      client.deviceId = welcome.deviceId;
    }
    return client;
  }

  private onFrame(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.violations.push(`invalid server frame: ${parsed.error.message}: ${text.slice(0, 200)}`);
      return;
    }
    const f = parsed.value;
    this.frames.push(f);
    if (f.type === 'event') this.apply(f.sessionId, f.event);
    // A page means what its events one by one would (docs/protocol.md).
    if (f.type === 'events') for (const event of f.events) this.apply(f.sessionId, event);
    if ((f.type === 'presence' || f.type === 'presence.changed') && f.attachedCount !== undefined)
      this.presenceCount.set(f.sessionId, f.attachedCount);
    if (f.type === 'presence') this.presence.set(f.sessionId, f.attached);
    else if (f.type === 'presence.changed') {
      const gone = new Set([...f.left, ...f.joined.map((a) => a.connectionId)]);
      const now = (this.presence.get(f.sessionId) ?? []).filter((a) => !gone.has(a.connectionId));
      this.presence.set(f.sessionId, [...now, ...f.joined]);
    } else if (f.type === 'snapshot') {
      this.logs.set(f.sessionId, []);
      this.lastSeq.set(f.sessionId, f.seq);
      if (f.epoch !== undefined) this.epochs.set(f.sessionId, f.epoch);
    } else if (f.type === 'reply' || (f.type === 'error' && f.rid !== undefined)) {
      const w = this.waiters.get(f.rid!);
      if (w) {
        this.waiters.delete(f.rid!);
        if (f.type === 'reply') w.resolve(f.result);
        else w.reject(new ProtocolError(f.code, f.message));
      }
    }
    if (f.type === 'ack' || (f.type === 'error' && f.inputId !== undefined)) {
      const key = `${f.sessionId ?? ''}/${f.inputId!}`;
      const w = this.ackWaiters.get(key);
      if (w) {
        this.ackWaiters.delete(key);
        if (f.type === 'ack') w.resolve({ seq: f.seq, duplicate: f.duplicate });
        else w.reject(new ProtocolError(f.code, f.message));
      }
    }
  }

  private apply(sessionId: string, event: ReceivedLogEvent): void {
    const last = this.lastSeq.get(sessionId) ?? 0;
    if (event.seq <= last) {
      this.violations.push(`duplicate ${sessionId}#${event.seq} (last ${last})`);
      return;
    }
    if (event.seq !== last + 1) {
      this.violations.push(`gap ${sessionId}: got #${event.seq} after #${last}`);
    }
    this.lastSeq.set(sessionId, event.seq);
    this.arrivals.set(`${sessionId}/${event.seq}`, performance.now());
    // An event type this client does not know: its position counts, its content is skipped.
    if (!isKnownLogEvent(event)) {
      this.skipped.push(event);
      return;
    }
    const log = this.logs.get(sessionId) ?? [];
    log.push(event);
    this.logs.set(sessionId, log);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a request with a fresh rid; resolves with its reply's result. */
  request<T = Record<string, unknown>>(
    msg: Record<string, unknown>,
    timeoutMs = 10_000,
  ): Promise<T> {
    const rid = ++this.rid;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(rid);
        reject(new Error(`no reply to ${String(msg['type'])} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(rid, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ ...msg, rid });
    });
  }

  /**
   * Submits an input; resolves with its ack (seq and whether it was a duplicate). `extra` goes in
   * the frame beside the payload (a sealed terminal input's clear `run` and `report`).
   */
  submit(
    sessionId: string,
    inputId: string,
    payload: WireInputPayload,
    timeoutMs = 10_000,
    extra: Record<string, unknown> = {},
  ): Promise<{ seq: number; duplicate: boolean }> {
    const key = `${sessionId}/${inputId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack for ${inputId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.ackWaiters.set(key, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ type: 'input', sessionId, inputId, payload, ...extra });
    });
  }

  /** Subscribes from `afterSeq`, in `epoch` when given (the position's epoch). */
  async subscribe(
    sessionId: string,
    afterSeq = this.lastSeq.get(sessionId) ?? 0,
    readOnly = false,
    epoch?: string,
  ): Promise<{ headSeq: number; epoch: string }> {
    if (!this.lastSeq.has(sessionId) || afterSeq < (this.lastSeq.get(sessionId) ?? 0)) {
      this.lastSeq.set(sessionId, afterSeq);
      this.logs.set(sessionId, []);
    }
    const msg: Record<string, unknown> = { type: 'subscribe', sessionId, afterSeq, readOnly };
    if (epoch !== undefined) msg['epoch'] = epoch;
    const reply = await this.request<{ headSeq: number; epoch: string }>(msg);
    this.epochs.set(sessionId, reply.epoch);
    return reply;
  }

  /** Resolves with the first received frame (past or future) that matches. */
  async waitFor(match: (f: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    for (;;) {
      for (; from < this.frames.length; from++)
        if (match(this.frames[from]!)) return this.frames[from]!;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for a frame (${this.frames.length} seen)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves once this client's log of `sessionId` reaches `seq`. */
  async waitForSeq(sessionId: string, seq: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.lastSeq.get(sessionId) ?? 0) < seq) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out at #${this.lastSeq.get(sessionId) ?? 0} waiting for #${seq} of ${sessionId}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  /** Cuts the connection without a close handshake, as a network failure would. */
  terminate(): void {
    this.ws.terminate();
  }
}
