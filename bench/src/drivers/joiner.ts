import WebSocket, { type RawData } from 'ws';

interface Frame {
  type: string;
  rid?: number;
  event?: { seq: number; type: string; data?: { data?: string } };
  seq?: number;
}

/**
 * A bare baton connection for the late-joiner scenario: says hello, then lets the scenario send
 * frames and wait for the first frame that matches. Terminal output it sees is kept, so the
 * scenario can wait for a marker in it.
 */
export class RawBatonClient {
  output = '';
  lastSeq = 0;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame, at: bigint) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => this.onFrame(data));
    ws.on('close', () => this.fail(new Error('connection closed')));
    ws.on('error', (err) => this.fail(err));
  }

  static async connect(url: string, token: string): Promise<RawBatonClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new RawBatonClient(ws);
    client.send({ type: 'hello', v: 2, token, mode: 'headless' });
    await client.next((f) => f.type === 'welcome', 10_000);
    return client;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame from now on that `match` accepts, with when it arrived (hrtime ns). */
  next(match: (f: Frame) => boolean, timeoutMs: number): Promise<{ frame: Frame; at: bigint }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (frame: Frame, at: bigint) => {
          clearTimeout(timer);
          resolve({ frame, at });
        },
      };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.removeAllListeners('close');
    this.ws.terminate();
  }

  private onFrame(data: RawData): void {
    const at = process.hrtime.bigint();
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : String(data);
    const frame = JSON.parse(text) as Frame;
    if (frame.type === 'event' && frame.event) {
      this.lastSeq = frame.event.seq;
      if (frame.event.type === 'terminal.output') this.output += frame.event.data?.data ?? '';
    } else if (frame.type === 'snapshot' && frame.seq !== undefined) {
      this.lastSeq = frame.seq;
    }
    for (const w of this.waiters) {
      if (w.match(frame)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(frame, at);
        break;
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }
}
