import { performance } from 'node:perf_hooks';
import { BatonClient, type WebSocketConstructor } from '@baton/client';

/**
 * Child process of the client-memory scenario (run with `--expose-gc`): feeds terminal `event`
 * frames, as JSON text, through a real `BatonClient` (frame parsing, routing, the session store,
 * a listener that reads the snapshot on every change as React does) and reports the heap and the
 * time per event at each checkpoint on stdout as one JSON line.
 *
 * The server side is played in-process: the socket below answers the handshake and the
 * subscribe request and then delivers the frames. A real server cannot produce a million terminal
 * events in a benchmark's time (output is batched every 5 ms), and this measures the client alone.
 */

export interface FeedCheckpoint {
  events: number;
  heapUsedBytes: number;
  /** Mean time per event since the previous checkpoint. */
  microsPerEvent: number;
  heldEvents: number;
}

const SESSION = 's_benchbenchbenchbench';
const EPOCH = 'e_bench';

type Listener = (event: { data: unknown; code: number; reason: string }) => void;

/** An in-process socket that plays the server for one session. */
class InProcessSocket {
  static current: InProcessSocket | undefined;
  readyState = 0;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(_url: string) {
    InProcessSocket.current = this;
    setImmediate(() => {
      this.readyState = 1;
      this.#emit('open', { data: undefined, code: 0, reason: '' });
    });
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener as Listener);
    this.#listeners.set(type, list);
  }

  send(data: string): void {
    const frame = JSON.parse(data) as { type: string; rid?: number };
    if (frame.type === 'hello') {
      this.deliver(
        JSON.stringify({
          type: 'welcome',
          v: 1,
          connectionId: 'c1',
          deviceId: 'd1',
          deviceName: 'bench',
          heartbeatMs: 3_600_000,
          maxFrameBytes: 1 << 20,
        }),
      );
    } else if (frame.type === 'subscribe') {
      this.deliver(
        JSON.stringify({
          type: 'reply',
          rid: frame.rid,
          result: { session: sessionInfo(), headSeq: 0, epoch: EPOCH },
        }),
      );
    }
  }

  close(): void {
    this.readyState = 3;
    this.#emit('close', { data: undefined, code: 1000, reason: '' });
  }

  deliver(text: string): void {
    this.#emit('message', { data: text, code: 0, reason: '' });
  }

  #emit(type: string, event: Parameters<Listener>[0]): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

function sessionInfo() {
  return {
    id: SESSION,
    name: 'flood',
    kind: 'terminal',
    status: 'running',
    createdAt: 1,
    lastActivityAt: 1,
    headSeq: 0,
    epoch: EPOCH,
    run: 1,
    config: {},
    attached: [],
    attachedCount: 0,
  };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000);
  const checkpoints = (process.argv[3] ?? '100000,500000,1000000').split(',').map(Number);
  const client = new BatonClient({
    url: 'ws://in-process/v1/ws',
    token: 'bench',
    mode: 'headless',
    watchSessions: false,
    WebSocket: InProcessSocket as unknown as WebSocketConstructor,
  });
  client.connect();
  await client.whenConnected(5000);
  const store = client.subscribe(SESSION);
  for (let i = 0; i < 100 && store.status !== 'live'; i++) await settle();
  if (store.status !== 'live') throw new Error(`subscription is ${store.status}, not live`);
  // What a React view does on every change.
  store.subscribe(() => store.getSnapshot());
  const socket = InProcessSocket.current!;

  const results: FeedCheckpoint[] = [];
  const line = 'x'.repeat(60);
  let seq = 0;
  let since = performance.now();
  let sinceSeq = 0;
  for (const checkpoint of checkpoints.filter((c) => c <= total)) {
    while (seq < checkpoint) {
      seq++;
      socket.deliver(
        `{"type":"event","sessionId":"${SESSION}","event":{"seq":${seq},"ts":${seq},"type":"terminal.output","data":{"data":"${line} ${seq}\\r\\n"}}}`,
      );
      // Let queued microtasks run now and then, as a socket's event loop would.
      if (seq % 10_000 === 0) await settle();
    }
    const elapsed = performance.now() - since;
    gc();
    results.push({
      events: seq,
      heapUsedBytes: process.memoryUsage().heapUsed,
      microsPerEvent: (elapsed * 1000) / (seq - sinceSeq),
      heldEvents: store.heldCount,
    });
    if (store.lastSeq !== seq) throw new Error(`the store is at ${store.lastSeq}, not ${seq}`);
    since = performance.now();
    sinceSeq = seq;
  }
  await client.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
