import { Worker } from 'node:worker_threads';

/** How long `close` waits for the thread to close its connection before terminating it. */
const CLOSE_GRACE_MS = 5000;

export interface WalCheckpointerOptions {
  /** The database file (in WAL mode). */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Time between checkpoints. Default 1 s. */
  intervalMs?: number;
}

/**
 * Runs WAL checkpoints off the event loop, in a worker thread with its own connection.
 *
 * SQLite's automatic checkpoint runs inside whichever commit crosses the threshold (1000 pages
 * by default), on the committing connection: with better-sqlite3 that is the event loop, which
 * then stalls for the copy and the fsync of the database file. The writing connection turns the
 * automatic checkpoint off (`wal_autocheckpoint = 0`) and this thread runs PASSIVE checkpoints on
 * a timer instead. PASSIVE never waits for or blocks the writer; a checkpoint that could not
 * finish (a reader still needs old pages) is simply completed by a later one.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private closed: Promise<void> | undefined;
  private exited = false;
  /** Checkpoints run and the last failure, for tests and diagnostics. */
  readonly stats: {
    checkpoints: number;
    /** The last checkpoint: WAL frames in all and frames copied (equal when it completed). */
    last?: { busy: number; log: number; checkpointed: number };
    lastError?: string;
  } = { checkpoints: 0 };

  constructor(opts: WalCheckpointerOptions) {
    this.worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: {
        file: opts.file,
        synchronous: opts.synchronous,
        intervalMs: opts.intervalMs ?? 1000,
      },
    });
    this.worker.unref();
    this.worker.once('exit', () => (this.exited = true));
    this.worker.on(
      'message',
      (msg: {
        type: string;
        message?: string;
        busy: number;
        log: number;
        checkpointed: number;
      }) => {
        if (msg.type === 'checkpointed') {
          this.stats.checkpoints++;
          this.stats.last = { busy: msg.busy, log: msg.log, checkpointed: msg.checkpointed };
        } else if (msg.type === 'error') this.stats.lastError = msg.message ?? 'unknown error';
      },
    );
    // A worker that dies takes only the checkpoints with it; the WAL then grows until restart.
    this.worker.on('error', (err) => {
      this.stats.lastError = err.message;
    });
  }

  /** Asks for a checkpoint now (in addition to the timer). */
  checkpointSoon(): void {
    if (!this.closed) this.worker.postMessage({ type: 'checkpoint' });
  }

  /** Stops the thread after closing its connection. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.exited) {
        resolve();
        return;
      }
      // The thread is unref'd so it never keeps a process alive, but a close in progress must:
      // otherwise a process with nothing else to do exits with this close still pending.
      this.worker.ref();
      const done = () => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (msg: { type: string }) => {
        if (msg.type === 'closed') void this.worker.terminate().then(done, done);
      });
      this.worker.postMessage({ type: 'close' });
      // A thread that does not answer (stuck in a checkpoint on a failing disk) must not hang the
      // server's shutdown: after a grace period it is terminated; the WAL stays consistent, as
      // SQLite's own crash recovery guarantees for a connection that goes away mid-checkpoint.
      setTimeout(() => void this.worker.terminate().then(done, done), CLOSE_GRACE_MS).unref();
    });
    return this.closed;
  }
}
