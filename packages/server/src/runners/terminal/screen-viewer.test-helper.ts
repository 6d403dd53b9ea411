import type { Socket } from 'node:net';
import {
  PROTOCOL_VERSION,
  SnapshotState,
  parseServerFrame,
  type ClientMessage,
  type ServerMessage,
  type SessionInfo,
} from '@baton/protocol';
import WebSocket from 'ws';
import { HeadlessScreen } from '../../projections/terminal/headless-screen.js';

/** The subscribe reply: the session as of the subscription and the log head then. */
export interface Subscribed {
  session: SessionInfo;
  headSeq: number;
}

interface OutputWaiter {
  text: string;
  resolve(at: number): void;
}

/**
 * A raw WebSocket viewer of one terminal session for integration tests. It keeps its own copy of
 * the screen built only from what the server sent (snapshot, then events), the way a window does,
 * and records instead of throwing what a test wants to check: seq gaps or duplicates, snapshot
 * reasons, when a piece of output first arrived. Its socket can be paused to play a viewer that
 * stopped reading.
 */
export class ScreenViewer {
  screen: HeadlessScreen | undefined;
  lastSeq = 0;
  /** The `reason` of every snapshot received, in order. */
  readonly snapshotReasons: string[] = [];
  /** Gaps, duplicates and invalid frames: must stay empty. */
  readonly violations: string[] = [];
  /** Bytes (UTF-16 units) of terminal output received as events. */
  outputChars = 0;
  private outputTail = '';
  private waiters: OutputWaiter[] = [];
  private nextRid = 1;
  private readonly replies = new Map<number, (m: ServerMessage) => void>();
  private sessionId: string | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: WebSocket.RawData) => this.receive(raw.toString()));
  }

  /** Connects and says hello; resolves after `welcome`. */
  static async connect(wsUrl: string, token: string): Promise<ScreenViewer> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('close', (code: number) => reject(new Error(`closed ${code}`)));
    });
    const viewer = new ScreenViewer(ws);
    viewer.send({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'headless' });
    await welcome;
    return viewer;
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a request with a fresh rid; resolves with its `reply` result, rejects on `error`. */
  request(
    message: Record<string, unknown> & { type: string },
    timeoutMs = 15_000,
  ): Promise<unknown> {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(rid);
        reject(new Error(`no reply to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(rid, (m) => {
        clearTimeout(timer);
        if (m.type === 'reply') resolve(m.result);
        else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
      });
      this.send({ ...message, rid } as ClientMessage);
    });
  }

  async createTerminal(config: Record<string, unknown>): Promise<string> {
    const result = (await this.request({ type: 'session.create', kind: 'terminal', config })) as {
      session: { id: string };
    };
    return result.session.id;
  }

  /**
   * Subscribes from the start (`afterSeq` 0) and builds the screen from what arrives. `cols` and
   * `rows` must be the session's initial size: a replay from seq 1 starts from a blank screen.
   */
  async subscribe(sessionId: string, cols = 80, rows = 24): Promise<Subscribed> {
    this.sessionId = sessionId;
    this.screen?.dispose();
    this.screen = new HeadlessScreen(cols, rows);
    this.lastSeq = 0;
    return (await this.request({ type: 'subscribe', sessionId, afterSeq: 0 })) as Subscribed;
  }

  /** Types into the session (a fresh input id each time). */
  type(data: string): void {
    if (!this.sessionId) throw new Error('not subscribed');
    const inputId = `in-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.send({
      type: 'input',
      sessionId: this.sessionId,
      inputId,
      payload: { kind: 'terminal', data },
    });
  }

  /** Resolves with `performance.now()` when `text` next shows up in the output events. */
  nextOutput(text: string, timeoutMs = 15_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: OutputWaiter = {
        text,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`'${text}' did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async serialized(): Promise<string> {
    if (!this.screen) throw new Error('not subscribed');
    return (await this.screen.snapshot()).screen;
  }

  /** Stops reading from the socket: the server's frames pile up in kernel and server buffers. */
  pause(): void {
    this.socket().pause();
  }

  resume(): void {
    this.socket().resume();
  }

  close(): void {
    this.screen?.dispose();
    this.screen = undefined;
    this.ws.terminate();
  }

  private socket(): Socket {
    // ws keeps the TCP socket private; pausing it is the simplest faithful "stopped reading".
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  private receive(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.violations.push(`invalid frame: ${parsed.error.message}`);
      return;
    }
    const m = parsed.value;
    if ((m.type === 'reply' || m.type === 'error') && typeof m.rid === 'number') {
      const handler = this.replies.get(m.rid);
      this.replies.delete(m.rid);
      handler?.(m);
      return;
    }
    if (m.type === 'snapshot') {
      const state = SnapshotState.parse(m.state);
      if (state.runner.kind === 'terminal') this.screen?.restore(state.runner);
      this.lastSeq = m.seq;
      this.snapshotReasons.push(m.reason);
      this.outputTail = '';
    } else if (m.type === 'event') {
      if (m.event.seq !== this.lastSeq + 1) {
        this.violations.push(`got seq ${m.event.seq} after ${this.lastSeq}`);
        if (m.event.seq <= this.lastSeq) return;
      }
      this.lastSeq = m.event.seq;
      if (m.event.type === 'terminal.output') this.output(m.event.data.data);
      if (m.event.type === 'terminal.resized') {
        this.screen?.resize(m.event.data.cols, m.event.data.rows);
      }
    }
  }

  private output(data: string): void {
    const at = performance.now();
    this.screen?.write(data);
    this.outputChars += data.length;
    this.outputTail = (this.outputTail + data).slice(-(data.length + 256));
    if (this.waiters.length === 0) return;
    const seen = this.waiters.filter((w) => this.outputTail.includes(w.text));
    if (seen.length === 0) return;
    this.waiters = this.waiters.filter((w) => !seen.includes(w));
    for (const w of seen) w.resolve(at);
    // A marker is reported once: later copies need a new waiter registered after this point.
    this.outputTail = '';
  }
}
