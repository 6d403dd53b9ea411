import headlessModule from '@xterm/headless';
import {
  PROTOCOL_VERSION,
  SnapshotState,
  parseServerFrame,
  type ClientMessage,
  type ServerMessage,
  type SessionInfo,
} from '@baton/protocol';
import WebSocket from 'ws';

// A CommonJS bundle: its named exports are only reachable from the default.
const { Terminal } = headlessModule;
type HeadlessTerminal = InstanceType<typeof Terminal>;

/**
 * A WebSocket window onto one terminal session, for comparing with what `baton attach` shows:
 * a plain protocol client (not the attach code) that renders the server's snapshot and events
 * in a headless terminal and reads back the visible lines.
 */
export class RenderedScreen {
  lastSeq = 0;
  /** Gaps or duplicates in the event stream: must stay empty. */
  readonly violations: string[] = [];
  private term: HeadlessTerminal;
  private nextRid = 1;
  private readonly replies = new Map<number, (m: ServerMessage) => void>();

  private constructor(private readonly ws: WebSocket) {
    this.term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    ws.on('message', (raw: WebSocket.RawData) => this.receive(raw.toString()));
  }

  /** Connects and says hello; resolves after `welcome`. */
  static async connect(wsUrl: string, token: string): Promise<RenderedScreen> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('close', (code: number) => reject(new Error(`closed ${code}`)));
    });
    const screen = new RenderedScreen(ws);
    screen.send({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'headless' });
    await welcome;
    return screen;
  }

  /** Sends a request with a fresh rid; resolves with its `reply` result, rejects on `error`. */
  request(message: Record<string, unknown> & { type: string }): Promise<unknown> {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.replies.set(rid, (m) => {
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

  /**
   * Subscribes from the start. `cols` x `rows` must be the session's initial size, which a
   * replay from seq 1 starts from; later resizes arrive as events.
   */
  async subscribe(sessionId: string, cols: number, rows: number): Promise<void> {
    this.term.dispose();
    this.term = new Terminal({ cols, rows, allowProposedApi: true });
    this.lastSeq = 0;
    await this.request({ type: 'subscribe', sessionId, afterSeq: 0 });
  }

  /** Types into a session, as a second window would. */
  type(sessionId: string, data: string): void {
    const inputId = `in-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'input', sessionId, inputId, payload: { kind: 'terminal', data } });
  }

  /** The visible lines as text, trailing blanks trimmed, once everything received is parsed. */
  visibleLines(): Promise<string[]> {
    const term = this.term;
    return new Promise((resolve) => {
      term.write('', () => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        for (let row = 0; row < term.rows; row++) {
          lines.push(
            buffer
              .getLine(buffer.baseY + row)
              ?.translateToString(true)
              .trimEnd() ?? '',
          );
        }
        resolve(lines);
      });
    });
  }

  close(): void {
    this.term.dispose();
    this.ws.terminate();
  }

  private send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
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
      if (state.runner.kind === 'terminal') {
        const { cols, rows, screen } = state.runner;
        this.term.dispose();
        this.term = new Terminal({ cols, rows, allowProposedApi: true });
        this.term.write(screen);
      }
      this.lastSeq = m.seq;
    } else if (m.type === 'event') {
      if (m.event.seq !== this.lastSeq + 1) {
        this.violations.push(`got seq ${m.event.seq} after ${this.lastSeq}`);
        if (m.event.seq <= this.lastSeq) return;
      }
      this.lastSeq = m.event.seq;
      const event = m.event;
      if (event.type === 'terminal.output') this.term.write(event.data.data);
      if (event.type === 'terminal.resized') {
        const term = this.term;
        // After the output before it has been parsed, as the server's screen does.
        term.write('', () => term.resize(event.data.cols, event.data.rows));
      }
    }
  }
}
