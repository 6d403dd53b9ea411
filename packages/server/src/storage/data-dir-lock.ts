import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Who holds a data directory: written beside the lock so a second server can name it. */
export interface DataDirOwner {
  pid: number;
  startedAt: number;
  /** Known once the owner listens. */
  url?: string;
}

/** The data directory is in use by another running server. */
export class DataDirLockedError extends Error {
  readonly code = 'EDATADIRLOCKED';
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner | undefined,
  ) {
    const who = owner
      ? `baton pid ${owner.pid}${owner.url ? `, serving at ${owner.url}` : ', still starting'}`
      : 'another baton server';
    super(
      `the data directory ${dataDir} is in use by ${who}; stop that server first, or use another --data directory`,
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'baton.lock';
const OWNER_FILE = 'baton.lock.json';

/**
 * One server per data directory. Two servers on one directory would both allocate sequence
 * numbers for the same sessions and mark each other's live shells as exited.
 *
 * The lock is an exclusive SQLite lock (a POSIX advisory lock taken by SQLite) on a small file
 * of its own, held by a transaction that stays open for the server's lifetime. The operating
 * system releases it when the process ends in any way, `kill -9` included, so a crashed server
 * never leaves a stale lock behind. SQLite also tracks its locks per process, so a second server
 * in the same process is refused too. The owner file only names the holder for the message; it
 * is never what decides.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly dataDir: string,
    private owner: DataDirOwner,
  ) {}

  /** Takes the lock or throws DataDirLockedError naming the holder. Never waits. */
  static acquire(dataDir: string): DataDirLock {
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      // No journal file: the lock holds no data, and a start on a full disk (after a clean stop
      // removed the journal) must still be able to take it.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        throw new DataDirLockedError(dataDir, readOwner(dataDir));
      }
      throw err;
    }
    const lock = new DataDirLock(db, dataDir, { pid: process.pid, startedAt: Date.now() });
    lock.writeOwner();
    return lock;
  }

  /** Records where this server listens, for the message a second server prints. */
  recordUrl(url: string): void {
    this.owner = { ...this.owner, url };
    this.writeOwner();
  }

  release(): void {
    if (!this.db.open) return;
    rmSync(join(this.dataDir, OWNER_FILE), { force: true });
    this.db.close();
  }

  /** Best effort: on a full disk the server still starts; a second one then names no pid. */
  private writeOwner(): void {
    const file = join(this.dataDir, OWNER_FILE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.owner) + '\n', { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch {
      // Never leave a stale file naming a server that is gone.
      rmSync(`${file}.tmp`, { force: true });
      rmSync(file, { force: true });
    }
  }
}

function readOwner(dataDir: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as DataDirOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}
