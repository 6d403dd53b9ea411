import type { Socket } from 'node:net';
import headlessModule from '@xterm/headless';
import {
  PROTOCOL_VERSION,
  SnapshotState,
  isKnownLogEvent,
  parseServerFrame,
  type ClientMessage,
  type ServerMessage,
  type SessionInfo,
} from '@baton/protocol';
import WebSocket from 'ws';
import { HeadlessScreen } from '../projections/terminal/headless-screen.js';

// A CommonJS bundle: its named exports are only reachable from the default.
const { Terminal } = headlessModule;

/** The subscribe reply: the session as of the subscription and the log head then. */
export interface Subscribed {
  session: SessionInfo;
  headSeq: number;
}

/** How a viewer treats a seq gap, a duplicate or an invalid frame. */
export interface ScreenViewerOptions {
  /**
   * Throw from the socket's message handler, failing the test at once, instead of only recording
   * the violation for the test to check.
   */
  strict?: boolean;
}

interface OutputWaiter {
  text: string;
  /** With `among`: the output seen so far, without the characters not in `among` (`drop`). */
  kept?: { drop: RegExp; seen: string };
  resolve(at: number): void;
}

/**
 * A raw WebSocket viewer of terminal sessions for integration tests: a plain protocol client (not
 * the SDK, the CLI or the web app) that keeps its own copy of the screen built only from what the
 * server sent (snapshot, then events), the way a window does. It records what a test wants to
 * check: seq gaps or duplicates, snapshot reasons, when a piece of output first arrived. Its
 * socket can be paused to play a viewer that stopped reading.
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
  /** `performance.now()` of the last output event, for a wait that timed out to say so. */
  private lastOutputAt = 0;
  private outputTail = '';
  private waiters: OutputWaiter[] = [];
  private nextRid = 1;
  private readonly replies = new Map<number, (m: ServerMessage) => void>();
  private sessionId: string | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly strict: boolean,
  ) {
    ws.on('message', (raw: WebSocket.RawData) => this.receive(raw.toString()));
  }

  /** Connects and says hello; resolves after `welcome`. */
  static async connect(
    wsUrl: string,
    token: string,
    options: ScreenViewerOptions = {},
  ): Promise<ScreenViewer> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('close', (code: number) => reject(new Error(`closed ${code}`)));
    });
    const viewer = new ScreenViewer(ws, options.strict ?? false);
    viewer.send({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'headless' });
    await welcome;
    return viewer;
  }

  /** How many snapshots arrived (one per subscribe, more when the server had to resync). */
  get snapshots(): number {
    return this.snapshotReasons.length;
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

  /** The sessions the server has now. */
  async sessions(): Promise<SessionInfo[]> {
    const result = (await this.request({ type: 'sessions.watch' })) as { sessions: SessionInfo[] };
    await this.request({ type: 'sessions.unwatch' });
    return result.sessions;
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

  /**
   * Types into a session (a fresh input id each time), as a second window would: the subscribed
   * session given only `data`, any session given `sessionId` and `data`.
   */
  type(...args: [data: string] | [sessionId: string, data: string]): void {
    const [sessionId, data] = args.length === 2 ? args : [this.sessionId, args[0]];
    if (!sessionId) throw new Error('not subscribed');
    const inputId = `in-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'input', sessionId, inputId, payload: { kind: 'terminal', data } });
  }

  /** Resolves with `performance.now()` when `text` next shows up in the output events. */
  /**
   * `among`: the characters the text is made of (a class such as `/[<>m0-9]/`). The text is then
   * found with any other output between its characters: under a flood the line discipline can
   * echo typed keys in pieces, between chunks of the program's output.
   */
  nextOutput(text: string, timeoutMs = 15_000, among?: RegExp): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: OutputWaiter = {
        text,
        ...(among
          ? { kept: { drop: new RegExp(`[^${among.source.slice(1, -1)}]`, 'g'), seen: '' } }
          : {}),
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      // What the viewer got while it waited, so that a timeout tells a stalled stream from a
      // screen that was replaced (a snapshot carries no output for the marker to be found in).
      const charsBefore = this.outputChars;
      const snapshotsBefore = this.snapshotReasons.length;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const snapshots = this.snapshotReasons.slice(snapshotsBefore);
        const chars = this.outputChars - charsBefore;
        const last =
          this.lastOutputAt > 0
            ? `the last output ${(performance.now() - this.lastOutputAt).toFixed(0)} ms ago`
            : 'no output yet';
        reject(
          new Error(
            `'${text}' did not arrive within ${timeoutMs} ms: ` +
              `${chars > 0 ? `${chars} chars of output arrived meanwhile` : 'no output meanwhile'} (${last}), ` +
              `${this.lastSeq > 0 ? `the last event was #${this.lastSeq}` : 'no event yet'}, and ` +
              (snapshots.length > 0
                ? `${snapshots.length === 1 ? 'a snapshot' : `${snapshots.length} snapshots`} arrived (${snapshots.join(', ')}): a snapshot carries no output to find the text in`
                : 'no snapshot arrived'),
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The screen as VT sequences, once everything received is parsed. */
  async serialized(): Promise<string> {
    if (!this.screen) throw new Error('not subscribed');
    return (await this.screen.snapshot()).screen;
  }

  /** The visible lines as text, trailing blanks trimmed, once everything received is parsed. */
  async visibleLines(): Promise<string[]> {
    if (!this.screen) throw new Error('not subscribed');
    const { screen, cols, rows } = await this.screen.snapshot();
    // Rendered from the serialized screen: HeadlessScreen keeps its emulator to itself.
    const term = new Terminal({ cols, rows, allowProposedApi: true });
    try {
      await new Promise<void>((resolve) => term.write(screen, resolve));
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let row = 0; row < rows; row++) {
        lines.push(
          buffer
            .getLine(buffer.baseY + row)
            ?.translateToString(true)
            .trimEnd() ?? '',
        );
      }
      return lines;
    } finally {
      term.dispose();
    }
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

  private violation(text: string): void {
    this.violations.push(text);
    if (this.strict) throw new Error(text);
  }

  private receive(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.violation(`invalid frame: ${parsed.error.message}`);
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
        this.violation(`got seq ${m.event.seq} after ${this.lastSeq}`);
        if (m.event.seq <= this.lastSeq) return;
      }
      this.lastSeq = m.event.seq;
      const e = m.event;
      if (!isKnownLogEvent(e)) return;
      if (e.type === 'terminal.output') this.output(e.data.data);
      if (e.type === 'terminal.resized') this.screen?.resize(e.data.cols, e.data.rows);
    }
  }

  private output(data: string): void {
    const at = performance.now();
    this.lastOutputAt = at;
    this.screen?.write(data);
    this.outputChars += data.length;
    this.outputTail = (this.outputTail + data).slice(-(data.length + 256));
    if (this.waiters.length === 0) return;
    for (const w of this.waiters)
      if (w.kept) w.kept.seen = (w.kept.seen + data.replace(w.kept.drop, '')).slice(-256);
    const seen = this.waiters.filter((w) =>
      w.kept ? w.kept.seen.includes(w.text) : this.outputTail.includes(w.text),
    );
    if (seen.length === 0) return;
    this.waiters = this.waiters.filter((w) => !seen.includes(w));
    for (const w of seen) w.resolve(at);
    // A marker is reported once: later copies need a new waiter registered after this point.
    this.outputTail = '';
  }
}
