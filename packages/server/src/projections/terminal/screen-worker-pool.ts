import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ScreenState } from './headless-screen.js';
import type { Screen } from './screen.js';
import type { ScreenReply, ScreenRequest } from './screen-worker-messages.js';

interface Pending {
  resolve: (state: ScreenState) => void;
  reject: (err: Error) => void;
}

/** One worker thread and what it hosts. */
class ScreenWorker {
  readonly worker: Worker;
  readonly screens = new Set<number>();
  readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(onProblem: (message: string) => void) {
    this.worker = new Worker(new URL('./screen-worker.js', import.meta.url));
    // An idle worker must not keep the server process alive; it is ref'd while a snapshot is
    // awaited so that the awaiting promise is not abandoned.
    this.worker.unref();
    this.worker.on('message', (reply: ScreenReply) => {
      if (reply.reqId === null) {
        if (!reply.ok) onProblem(reply.error);
        return;
      }
      const p = this.pending.get(reply.reqId);
      if (!p) return;
      this.pending.delete(reply.reqId);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) p.resolve(reply.state);
      else p.reject(new Error(`terminal screen could not be serialized: ${reply.error}`));
    });
    const fail = (err: Error) => {
      if (this.failure) return;
      this.failure = err;
      onProblem(err.message);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) =>
      fail(new Error(`terminal screen worker failed: ${err.message}`)),
    );
    this.worker.on('exit', (code) =>
      fail(new Error(`terminal screen worker exited (code ${code})`)),
    );
  }

  post(req: ScreenRequest): void {
    if (!this.failure) this.worker.postMessage(req);
  }

  request(id: number, reqId: number): Promise<ScreenState> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ op: 'snapshot', id, reqId } satisfies ScreenRequest);
    });
  }
}

export interface ScreenWorkerPoolOptions {
  /** Worker threads to spread screens over. Default: one per spare core, 1 to 4. */
  size?: number;
  /** Called when a worker reports a problem (it keeps serving its other screens if it can). */
  onProblem?: (message: string) => void;
}

/**
 * Hosts session screens on a small, lazily started pool of worker threads. A session's screen
 * lives on one worker for its whole life (messages to one worker keep their order, which is what
 * keeps its writes, resizes and snapshots in order); new screens go to the least loaded worker.
 */
export class ScreenWorkerPool {
  private readonly size: number;
  private readonly onProblem: (message: string) => void;
  private readonly workers: ScreenWorker[] = [];
  private nextId = 1;
  private nextReqId = 1;

  constructor(options: ScreenWorkerPoolOptions = {}) {
    this.size = options.size ?? Math.min(4, Math.max(1, availableParallelism() - 1));
    this.onProblem = options.onProblem ?? (() => {});
  }

  /** A new screen of `cols` x `rows` on one of the pool's workers. */
  open(cols: number, rows: number, scrollback: number): Screen {
    const host = this.pick();
    const id = this.nextId++;
    host.screens.add(id);
    host.post({ op: 'open', id, cols, rows, scrollback });
    return {
      write: (data) => host.post({ op: 'write', id, data }),
      resize: (c, r) => host.post({ op: 'resize', id, cols: c, rows: r }),
      restore: (state) => host.post({ op: 'restore', id, state }),
      snapshot: () => host.request(id, this.nextReqId++),
      dispose: () => {
        host.post({ op: 'close', id });
        host.screens.delete(id);
      },
    };
  }

  /** Stop every worker. Screens opened before stop failing their snapshots. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pick(): ScreenWorker {
    for (let i = this.workers.length - 1; i >= 0; i--) {
      if (this.workers[i]?.failure) this.workers.splice(i, 1);
    }
    if (this.workers.length < this.size) {
      const w = new ScreenWorker(this.onProblem);
      this.workers.push(w);
      return w;
    }
    let best = this.workers[0];
    for (const w of this.workers) if (best && w.screens.size < best.screens.size) best = w;
    if (!best) throw new Error('screen worker pool is empty');
    return best;
  }
}
