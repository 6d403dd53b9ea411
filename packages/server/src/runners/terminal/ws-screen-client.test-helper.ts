import {
  PROTOCOL_VERSION,
  SnapshotState,
  parseServerFrame,
  type ClientMessage,
  type ServerMessage,
} from '@baton/protocol';
import WebSocket from 'ws';
import { HeadlessScreen } from '../../projections/terminal/headless-screen.js';

/**
 * A raw WebSocket client for integration tests that keeps its own copy of a terminal session's
 * screen, built only from what the server sent it (snapshot, then events), the way a window does.
 */
export class WsScreenClient {
  screen: HeadlessScreen | undefined;
  lastSeq = 0;
  snapshots = 0;
  private nextRid = 1;
  private readonly replies = new Map<number, (m: ServerMessage) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: WebSocket.RawData) => {
      const parsed = parseServerFrame(raw.toString());
      if (!parsed.ok) throw new Error(`bad frame from server: ${parsed.error.message}`);
      this.receive(parsed.value);
    });
  }

  /** Connects and says hello; resolves after `welcome`. */
  static async connect(wsUrl: string, token: string): Promise<WsScreenClient> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('close', (code: number) => reject(new Error(`closed ${code}`)));
    });
    const client = new WsScreenClient(ws);
    client.send({ type: 'hello', v: PROTOCOL_VERSION, token, mode: 'headless' });
    await welcome;
    return client;
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
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

  async createTerminal(config: Record<string, unknown>): Promise<string> {
    const result = (await this.request({ type: 'session.create', kind: 'terminal', config })) as {
      session: { id: string };
    };
    return result.session.id;
  }

  /** Subscribes from the start and builds the screen from what arrives. */
  async subscribe(sessionId: string, cols = 80, rows = 24): Promise<void> {
    this.screen = new HeadlessScreen(cols, rows);
    this.lastSeq = 0;
    await this.request({ type: 'subscribe', sessionId, afterSeq: 0 });
  }

  type(sessionId: string, data: string): void {
    const inputId = `in-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'input', sessionId, inputId, payload: { kind: 'terminal', data } });
  }

  async serialized(): Promise<string> {
    if (!this.screen) throw new Error('not subscribed');
    return (await this.screen.snapshot()).screen;
  }

  close(): void {
    this.screen?.dispose();
    this.ws.close();
  }

  private receive(m: ServerMessage): void {
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
      this.snapshots += 1;
    } else if (m.type === 'event') {
      if (m.event.seq !== this.lastSeq + 1) {
        throw new Error(`gap: got seq ${m.event.seq} after ${this.lastSeq}`);
      }
      this.lastSeq = m.event.seq;
      if (m.event.type === 'terminal.output') this.screen?.write(m.event.data.data);
      if (m.event.type === 'terminal.resized') {
        this.screen?.resize(m.event.data.cols, m.event.data.rows);
      }
    }
  }
}
