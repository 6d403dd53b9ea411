import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newEpoch, randomId } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { SessionRecord, Store } from '../storage/store.js';

/** The file beside baton.db that remembers which database this data directory last ran with. */
export const WATERMARK_FILE = 'log-heads.json';
/** The key in the store's meta table holding the id of the run that last opened it. */
const STORE_RUN_KEY = 'run_id';
/** How long a head change may wait before the watermark file is rewritten. */
const WRITE_DELAY_MS = 500;

interface Watermark {
  /** The run id written into baton.db when this server started. */
  runId: string;
  /**
   * Set only while a start is switching baton.db to a new run id: a crash in that moment leaves
   * the database with either id, and neither is a restore.
   */
  nextRunId?: string;
  /** The highest head recorded for each session, with the epoch it belongs to. */
  sessions: Record<string, { epoch: string; head: number }>;
}

/**
 * Detects a session log that went back in time (a restored backup of baton.db, or the last
 * transactions lost to a power failure) and gives it a new epoch, so that clients holding
 * positions in the old history are reset instead of silently skipping or forking.
 *
 * How: every start writes a fresh random run id into baton.db (`meta.run_id`) and into
 * `log-heads.json` beside it; while the server runs, the file also records each session's head
 * (rewritten at most every WRITE_DELAY_MS after commits, and at shutdown). At the next start:
 * - file missing or unreadable while sessions exist: the history is unknown; every session
 *   gets a new epoch;
 * - the run ids differ: baton.db is not the database this directory last ran with (a copy made
 *   before the last start was put back); every session gets a new epoch;
 * - a session's stored head is below the head recorded for the same epoch (a copy made while
 *   the server was running, or lost transactions): that session gets a new epoch.
 *
 * A new epoch where none was needed costs clients one reset snapshot; a missed one leaves them
 * ahead of the log. So every doubt resolves to a new epoch. What cannot be detected: restoring
 * baton.db together with its `log-heads.json` from the same moment; docs/operations.md says to
 * restore baton.db alone.
 *
 * Invariant: the file never records a head for an epoch the database does not hold, because
 * heads are noted only after their commit, and epochs are written to the store before use.
 */
export class RestoreGuard {
  private readonly file: string;
  private readonly heads = new Map<string, { epoch: string; head: number }>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set by `start`: until then the file still describes the previous run and is left alone. */
  private started = false;

  private constructor(
    dataDir: string,
    private runId: string,
    private readonly previous: Watermark | undefined,
    private readonly storeRunId: string | undefined,
    private readonly log: Logger,
  ) {
    this.file = join(dataDir, WATERMARK_FILE);
  }

  /** Reads what the last run left; call before loading sessions. */
  static async open(dataDir: string, store: Store, log: Logger): Promise<RestoreGuard> {
    const previous = readWatermark(join(dataDir, WATERMARK_FILE), log);
    const storeRunId = await store.getMeta(STORE_RUN_KEY);
    return new RestoreGuard(dataDir, 'r_' + randomId(16), previous, storeRunId, log);
  }

  /**
   * The epoch a stored session continues in: its own, or a new one (already stored) when its log
   * may have gone back in time.
   */
  async admit(record: SessionRecord, store: Store): Promise<string> {
    const reason = this.restoreReason(record);
    let epoch = record.epoch;
    if (reason !== undefined) {
      epoch = newEpoch();
      // Not stored (a full disk) is still safe: the next start finds the same doubt again, and a
      // client holding this epoch is then reset once more.
      await store.setSessionEpoch(record.id, epoch).catch((err: unknown) =>
        this.log.warn('could not store a new epoch', {
          session: record.id,
          error: (err as Error).message,
        }),
      );
      this.log.warn('session log may have gone back in time: new epoch, clients will be reset', {
        session: record.id,
        headSeq: record.headSeq,
        reason,
      });
    }
    this.heads.set(record.id, { epoch, head: record.headSeq });
    return epoch;
  }

  private restoreReason(record: SessionRecord): string | undefined {
    if (record.epoch === '') return 'stored before epochs existed';
    const prev = this.previous;
    if (!prev) return `${WATERMARK_FILE} is missing or unreadable`;
    if (prev.runId !== this.storeRunId && prev.nextRunId !== this.storeRunId)
      return 'baton.db is not the database this directory last ran with';
    const seen = prev.sessions[record.id];
    if (
      seen &&
      seen.epoch === record.epoch &&
      typeof seen.head === 'number' &&
      seen.head > record.headSeq
    )
      return `the stored head ${record.headSeq} is below ${seen.head}, recorded earlier`;
    return undefined;
  }

  /**
   * Marks this run in the store and the file. Call after every stored session was admitted and
   * before any new commit.
   */
  async start(store: Store): Promise<void> {
    this.started = true;
    let switched = false;
    try {
      // The file first names both ids, so a crash between the two writes is not taken for a
      // restore.
      await this.write(this.storeRunId ?? '');
      await store.setMeta(STORE_RUN_KEY, this.runId);
      switched = true;
      await this.write();
    } catch (err) {
      // A full disk at start must not keep the server from serving. If baton.db still holds the
      // previous run id, this run goes on under it, so that the file written once space is back
      // matches the database again; the heads recorded meanwhile only ever grow.
      if (!switched && this.storeRunId !== undefined) this.runId = this.storeRunId;
      this.log.warn(`could not mark this run in ${WATERMARK_FILE}; continuing`, {
        error: (err as Error).message,
      });
    }
  }

  /** Records a committed head; the file follows within WRITE_DELAY_MS. */
  noteHead(sessionId: string, epoch: string, head: number): void {
    const seen = this.heads.get(sessionId);
    if (seen && seen.epoch === epoch && seen.head >= head) return;
    this.heads.set(sessionId, { epoch, head });
    this.schedule();
  }

  forget(sessionId: string): void {
    if (this.heads.delete(sessionId)) this.schedule();
  }

  /**
   * Writes the file a last time (at shutdown). Never fails the shutdown: an old file records
   * lower heads, so only a copy made during this run could go unnoticed; the run id still
   * catches every copy from before this start.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A start that failed before this run was marked leaves the previous run's file as it was:
    // rewriting it under a run id baton.db never held would reset every session's epoch.
    if (!this.started) return;
    await this.write().catch((err: unknown) => {
      this.log.warn(`could not update ${WATERMARK_FILE}`, { error: (err as Error).message });
    });
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed write leaves an older file with lower heads: only a copy made during this run
      // could then go unnoticed; the run id still catches every copy from before this start.
      this.write().catch((err: unknown) => {
        this.log.warn(`could not update ${WATERMARK_FILE}`, { error: (err as Error).message });
      });
    }, WRITE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes are chained, never concurrent, and atomic (a temporary file renamed over). */
  private write(switchingFrom?: string): Promise<void> {
    const body: Watermark = { runId: this.runId, sessions: Object.fromEntries(this.heads) };
    if (switchingFrom !== undefined) {
      body.runId = switchingFrom;
      body.nextRunId = this.runId;
    }
    const text = JSON.stringify(body);
    const next = this.writing.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    this.writing = next.catch(() => {});
    return next;
  }
}

function readWatermark(file: string, log: Logger): Watermark | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const raw = JSON.parse(text) as Partial<Watermark>;
    if (typeof raw.runId !== 'string' || typeof raw.sessions !== 'object' || !raw.sessions)
      throw new Error('unexpected shape');
    const w: Watermark = { runId: raw.runId, sessions: raw.sessions };
    if (typeof raw.nextRunId === 'string') w.nextRunId = raw.nextRunId;
    return w;
  } catch (err) {
    log.warn(`${WATERMARK_FILE} is unreadable; every session gets a new epoch`, {
      error: (err as Error).message,
    });
    return undefined;
  }
}
