import {
  PROTOCOL_VERSION,
  ReplyResult,
  SealedSnapshotBody,
  SnapshotState,
  TERMINAL_CLOSE_CODES,
  isKnownLogEvent,
  parseServerFrame,
  sealedTerminalChecks,
  type ClientMessage,
  type InputPayload,
  type LogEvent,
  type RunnerSnapshot,
  type ServerMessage,
  type SessionInfo,
} from '@baton/protocol';
import WebSocket from 'ws';
import { newInputId, type SessionSealing } from '@baton/client';

/** What a TerminalLink reports to its user. Called in the order the server sent things. */
export interface TerminalLinkHandlers {
  /**
   * A (re)subscription began: the session's screen is rebuilt from scratch by the snapshot
   * and events that follow. `session` is the session as of the subscription.
   */
  onSubscribed(session: SessionInfo, headSeq: number): void;
  /** The terminal screen as of `seq` (sent instead of replaying every byte). */
  onScreen(state: Extract<RunnerSnapshot, { kind: 'terminal' }>, seq: number): void;
  /** One event of the session's log, in order, without gaps. */
  onEvent(event: LogEvent): void;
  /** The link went down (true while reconnecting) or came back (false). */
  onReconnecting(reconnecting: boolean): void;
  /** The server refused something typed or sent (read-only, session not running, …). */
  onRefused(message: string): void;
}

export interface TerminalLinkOptions {
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:7777/v1/ws. */
  wsUrl: string;
  token: string;
  sessionId: string;
  readOnly: boolean;
  handlers: TerminalLinkHandlers;
  /**
   * A sealed session's keys on this device (`baton join`): every event is opened and checked
   * before it is shown, every key typed is sealed before it leaves. An event that fails a check
   * is skipped (its position counts) and `onUnverified` says why.
   */
  sealing?: (() => Promise<SessionSealing>) | undefined;
  onUnverified?: (message: string) => void;
}

const PENDING_INPUT_LIMIT = 256;

type TerminalPayload = Extract<InputPayload, { kind: 'terminal' }>;

/**
 * One attachment to a terminal session, across as many sockets as it takes: says `hello`,
 * subscribes from the start (so every subscription begins with the current screen), pings to
 * notice a dead server, and reconnects with jittered backoff after any close except the ones
 * that cannot succeed (bad credential, unsupported version, revoked device).
 *
 * Inputs carry client ids and are kept until acknowledged; after a reconnect the unacknowledged
 * ones are sent again and the server's dedupe makes that safe.
 *
 * Any seq gap in the live stream (which the server should never produce) is handled by
 * reconnecting, which rebuilds the screen from a fresh subscription.
 */
export class TerminalLink {
  private socket: WebSocket | undefined;
  private closed = false;
  private attempt = 0;
  private lastSeq = 0;
  private subscribed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  private readonly unacked = new Map<string, TerminalPayload>();
  /** Session frames that arrived before the subscribe reply, applied right after it. */
  private early: ServerMessage[] = [];
  private fatal: ((err: Error) => void) | undefined;
  /** Sealed sessions: messages wait here while earlier ones are opened (async), in order. */
  private opening: Promise<void> = Promise.resolve();
  /** Bumped by every new subscription: opened messages of an older one are dropped. */
  private generation = 0;
  /** Sealed inputs, sealed once when typed: a resend after a reconnect sends the same. */
  private readonly sealedInputs = new Map<string, Promise<unknown>>();
  private sealingChain: Promise<unknown> = Promise.resolve();
  /** Resolves when the link is closed by `close`, rejects when it cannot go on. */
  readonly done: Promise<void>;
  private finish: (() => void) | undefined;

  constructor(private readonly o: TerminalLinkOptions) {
    this.done = new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fatal = reject;
    });
    // Attach the handler now; callers await `done` later and must not see an unhandled rejection.
    this.done.catch(() => {});
    this.open();
  }

  /** Type into the terminal. Kept and retried until the server acknowledges it. */
  input(data: string): void {
    if (this.unacked.size >= PENDING_INPUT_LIMIT) return;
    this.submit({ kind: 'terminal', data });
  }

  /**
   * The user's terminal's answer to a program's query (`TerminalAnswers`), sent as a report: the
   * server types it only when this window is the session's responder. An answer is about the
   * screen of this moment, so it is sent once, while subscribed, and never kept for a resend.
   */
  answer(data: string, querySeq: number | undefined): void {
    if (!this.subscribed) return;
    const payload: TerminalPayload = { kind: 'terminal', data, report: true };
    if (querySeq !== undefined) payload.querySeq = querySeq;
    this.submit(payload);
  }

  /** Keys are kept until acknowledged and sent again after a reconnect; a report is sent once. */
  private submit(payload: TerminalPayload): void {
    const inputId = newInputId();
    if (payload.report !== true) this.unacked.set(inputId, payload);
    const sealing = this.o.sealing;
    if (sealing) {
      // Sealed one at a time, in the order typed: the counters grow in the order sent.
      const sealed = this.sealingChain.then(async () =>
        (await sealing()).sealInput(inputId, payload),
      );
      this.sealingChain = sealed.catch(() => undefined);
      this.sealedInputs.set(inputId, sealed);
      sealed.catch((error: unknown) => {
        this.unacked.delete(inputId);
        this.sealedInputs.delete(inputId);
        this.o.handlers.onRefused(`not sent: ${(error as Error).message}`);
      });
    }
    this.sendInput(inputId, payload);
  }

  /** Resize the session's PTY. Sent only while subscribed; a later subscription resends. */
  resize(cols: number, rows: number): void {
    if (this.subscribed) this.send({ type: 'resize', sessionId: this.o.sessionId, cols, rows });
  }

  /** Say goodbye and stop reconnecting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'goodbye' } satisfies ClientMessage));
      socket.close(1000);
    } else {
      socket?.terminate();
    }
    this.finish?.();
  }

  private open(): void {
    if (this.closed) return;
    const socket = new WebSocket(this.o.wsUrl, { handshakeTimeout: 10_000 });
    this.socket = socket;
    this.subscribed = false;
    socket.on('open', () => {
      this.lastFrameAt = Date.now();
      this.send({
        type: 'hello',
        v: PROTOCOL_VERSION,
        token: this.o.token,
        mode: 'cli',
        label: 'baton attach',
        // A catch-up and a busy program's commits come as pages: one message each, not one
        // per event (docs/protocol.md, "Replay pages" and "Live pages").
        eventPages: true,
        livePages: true,
      });
    });
    socket.on('message', (raw: WebSocket.RawData) => this.receive(raw.toString()));
    socket.on('error', () => {
      // 'close' follows and schedules the reconnect.
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.subscribed = false;
      this.clearTimers();
      if (this.closed) return;
      if (TERMINAL_CLOSE_CODES.has(code)) {
        this.stop(new Error(`The server closed the connection: ${reason.toString() || code}`));
        return;
      }
      this.o.handlers.onReconnecting(true);
      this.attempt += 1;
      const ceiling = Math.min(5000, 250 * 2 ** Math.min(this.attempt - 1, 10));
      this.retryTimer = setTimeout(() => this.open(), Math.floor(Math.random() * ceiling));
    });
  }

  private receive(text: string): void {
    this.lastFrameAt = Date.now();
    const parsed = parseServerFrame(text);
    if (!parsed.ok) return;
    const msg: ServerMessage = parsed.value;
    switch (msg.type) {
      case 'welcome':
        this.lastSeq = 0;
        this.early = [];
        this.generation++;
        this.startPings(msg.heartbeatMs);
        this.send({
          type: 'subscribe',
          rid: 'attach',
          sessionId: this.o.sessionId,
          afterSeq: 0,
          readOnly: this.o.readOnly,
        });
        return;
      case 'reply':
        if (msg.rid === 'attach') this.subscribedNow(msg.result);
        return;
      case 'error':
        this.refused(msg.rid, msg.inputId, msg.code, msg.message);
        return;
      case 'ack':
        this.unacked.delete(msg.inputId);
        this.sealedInputs.delete(msg.inputId);
        return;
      case 'snapshot':
      case 'event':
        if (msg.sessionId === this.o.sessionId) this.take(msg);
        return;
      case 'events':
        // A page means exactly its events as `event` frames, one after the other.
        if (msg.sessionId !== this.o.sessionId) return;
        for (const event of msg.events)
          this.take({ type: 'event', sessionId: msg.sessionId, event });
        return;
      default:
        return;
    }
  }

  /** A session frame: applied now, or after the subscribe reply when it came first. */
  private take(msg: ServerMessage): void {
    if (this.subscribed) this.apply(msg);
    else this.early.push(msg);
  }

  private apply(msg: ServerMessage): void {
    const sealing = this.o.sealing;
    if (!sealing) {
      this.applyOpened(msg);
      return;
    }
    const generation = this.generation;
    this.opening = this.opening
      .then(async () => {
        if (generation === this.generation && msg.type === 'snapshot') {
          await this.openSnapshot(msg, await sealing(), generation);
          return;
        }
        if (generation !== this.generation || msg.type !== 'event') {
          if (generation === this.generation) this.applyOpened(msg);
          return;
        }
        if (msg.event.seq <= this.lastSeq) return;
        const session = await sealing();
        const opened = await session.openEvent(msg.event);
        if (generation !== this.generation) return;
        if (!opened.ok) {
          this.o.onUnverified?.(
            `an event failed to verify: ${opened.code} (#${msg.event.seq}: ${opened.message}); it is not shown`,
          );
          this.applyOpened({
            ...msg,
            event: { seq: msg.event.seq, ts: msg.event.ts, type: 'sealed.refused', data: {} },
          });
          return;
        }
        if (opened.sealedBy && msg.event.seq === this.lastSeq + 1) {
          try {
            session.admit(opened.sealedBy);
          } catch (error) {
            this.o.onUnverified?.(
              `an event failed to verify: replayed (#${msg.event.seq}: ${(error as Error).message}); it is not shown`,
            );
            this.applyOpened({
              ...msg,
              event: { seq: msg.event.seq, ts: msg.event.ts, type: 'sealed.refused', data: {} },
            });
            return;
          }
        }
        this.applyOpened({ ...msg, event: opened.event });
      })
      .catch((error: unknown) => {
        this.o.onUnverified?.(`cannot open the session: ${(error as Error).message}`);
      });
  }

  /**
   * A sealed session's snapshot is the host's, sealed (docs/protocol.md, "Sealed snapshots"):
   * opened before the screen is drawn from it, and the replay check goes on from the counters it
   * covers. One that fails keeps its position and draws nothing.
   */
  private async openSnapshot(
    msg: Extract<ServerMessage, { type: 'snapshot' }>,
    session: SessionSealing,
    generation: number,
  ): Promise<void> {
    const state = msg.state as { session?: unknown; runner?: { sealed?: unknown } } | undefined;
    const sealed = state?.runner?.sealed;
    if (sealed === undefined) {
      this.applyOpened(msg);
      return;
    }
    let body: SealedSnapshotBody | undefined;
    let why = 'it opened to no runner state';
    try {
      const parsed = SealedSnapshotBody.safeParse(await session.openSnapshot(sealed, msg.seq));
      if (parsed.success) body = parsed.data;
    } catch (error) {
      why = (error as Error).message;
    }
    if (generation !== this.generation) return;
    session.resetGuard();
    if (!body) {
      this.o.onUnverified?.(`a snapshot failed to verify (#${msg.seq}: ${why}); it is not shown`);
      this.applyOpened({ ...msg, state: { ...state, runner: { kind: 'none' } } });
      return;
    }
    session.seed(body.counters);
    this.applyOpened({ ...msg, state: { ...state, runner: body.runner } });
  }

  private applyOpened(msg: ServerMessage): void {
    switch (msg.type) {
      case 'snapshot': {
        this.lastSeq = msg.seq;
        const state = SnapshotState.safeParse(msg.state);
        if (state.success && state.data.runner.kind === 'terminal') {
          this.o.handlers.onScreen(state.data.runner, msg.seq);
        }
        return;
      }
      case 'event':
        if (msg.event.seq <= this.lastSeq) return;
        if (msg.event.seq !== this.lastSeq + 1) {
          // A gap: start over on a new socket rather than show a wrong screen.
          this.socket?.terminate();
          return;
        }
        this.lastSeq = msg.event.seq;
        // An event type this build does not know: its position counts, its content is skipped.
        if (isKnownLogEvent(msg.event)) this.o.handlers.onEvent(msg.event);
        return;
      default:
        return;
    }
  }

  private subscribedNow(result: unknown): void {
    const parsed = ReplyResult.subscribe.safeParse(result);
    if (!parsed.success) {
      this.stop(new Error('The server answered the subscription with an unexpected reply.'));
      return;
    }
    const r = parsed.data;
    this.subscribed = true;
    this.attempt = 0;
    // Every subscription replays from the start: so does the replay check.
    if (this.o.sealing) {
      const generation = this.generation;
      const sealing = this.o.sealing;
      this.opening = this.opening
        .then(async () => {
          if (generation === this.generation) (await sealing()).resetGuard();
        })
        .catch(() => undefined);
    }
    this.o.handlers.onReconnecting(false);
    this.o.handlers.onSubscribed(r.session, r.headSeq);
    const early = this.early;
    this.early = [];
    for (const msg of early) this.apply(msg);
    for (const [inputId, payload] of this.unacked) this.sendInput(inputId, payload);
  }

  private refused(
    rid: string | number | undefined,
    inputId: string | undefined,
    code: string,
    message: string,
  ): void {
    if (rid === 'attach') {
      this.stop(new Error(`Cannot attach to ${this.o.sessionId}: ${message} (${code})`));
      return;
    }
    if (inputId !== undefined) this.unacked.delete(inputId);
    this.o.handlers.onRefused(message);
  }

  private sendInput(inputId: string, payload: TerminalPayload): void {
    const once = payload.report === true;
    if (!this.subscribed) return;
    const sealed = this.sealedInputs.get(inputId);
    if (sealed) {
      sealed.then(
        (sealedPayload) => {
          if (this.subscribed && (once || this.unacked.has(inputId))) {
            // With the clear copy of a report's flag and query seq, which the relay checks
            // (docs/protocol.md, "Sealed sessions" → "Inputs"); the host holds it to the sealed.
            this.send({
              type: 'input',
              sessionId: this.o.sessionId,
              inputId,
              payload: sealedPayload,
              ...sealedTerminalChecks(payload),
            } as ClientMessage);
          }
          if (once) this.sealedInputs.delete(inputId);
        },
        () => undefined,
      );
      return;
    }
    this.send({
      type: 'input',
      sessionId: this.o.sessionId,
      inputId,
      payload,
    });
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private startPings(heartbeatMs: number): void {
    const every = Math.max(1000, heartbeatMs);
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > every * 3) {
        this.socket?.terminate();
        return;
      }
      this.send({ type: 'ping' });
    }, every);
  }

  private stop(err: Error): void {
    // Reject before close() resolves `done`: the first settlement wins.
    this.fatal?.(err);
    this.close();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = undefined;
    this.pingTimer = undefined;
  }
}
