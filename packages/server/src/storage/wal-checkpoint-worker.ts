import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The WAL checkpointer's thread (see wal-checkpointer.ts). It has its own connection to the
 * database and runs PASSIVE checkpoints, which copy committed pages from the WAL into the
 * database file and fsync it without ever blocking the writer. Once a checkpoint has copied
 * everything, the writer's next transaction starts the WAL from its beginning again, so the WAL
 * stays about as large as what is written between two checkpoints.
 */
interface Config {
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  intervalMs: number;
}

const config = workerData as Config;
const db = new Database(config.file, { timeout: 0 });
db.pragma(`synchronous = ${config.synchronous}`);
db.pragma('wal_autocheckpoint = 0');

let timer: NodeJS.Timeout | undefined;

function checkpoint(): void {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    parentPort?.postMessage({ type: 'checkpointed', ...row });
  } catch (err) {
    // A busy or failing checkpoint is retried on the next tick; the WAL only grows meanwhile.
    parentPort?.postMessage({ type: 'error', message: (err as Error).message });
  }
}

function tick(): void {
  checkpoint();
  timer = setTimeout(tick, config.intervalMs);
}

parentPort?.on('message', (msg: { type: string }) => {
  if (msg.type === 'checkpoint') checkpoint();
  else if (msg.type === 'close') {
    if (timer) clearTimeout(timer);
    db.close();
    parentPort?.postMessage({ type: 'closed' });
    parentPort?.close();
  }
});

timer = setTimeout(tick, config.intervalMs);
