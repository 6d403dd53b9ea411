import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/** The data directory holds hashed tokens and every terminal's full output: owner only. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** The database and the files SQLite keeps beside it in WAL mode. */
export const DATABASE_FILES = ['baton.db', 'baton.db-wal', 'baton.db-shm'] as const;

/**
 * Makes the data directory 0700 and the database files 0600, creating the directory and an
 * empty `baton.db` when they do not exist yet, and tightening existing ones (with a log line
 * naming each change). Call before the database is opened: SQLite creates `-wal` and `-shm`
 * with the mode of `baton.db`, so they are 0600 from their first byte on.
 */
export function secureDataDir(dataDir: string, log: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  tighten(dataDir, DIR_MODE, log);
  // An empty file is a valid new SQLite database; creating it here fixes its mode.
  closeSync(openSync(join(dataDir, DATABASE_FILES[0]), 'a', FILE_MODE));
  for (const name of DATABASE_FILES) tighten(join(dataDir, name), FILE_MODE, log);
}

function tighten(path: string, mode: number, log: Logger): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return; // -wal and -shm exist only while a database is open or after a crash.
  }
  if ((current & ~mode) === 0) return;
  chmodSync(path, current & mode);
  log.warn(`tightened the mode of ${path} so only its owner can read it`, {
    was: current.toString(8).padStart(4, '0'),
    now: (current & mode).toString(8).padStart(4, '0'),
  });
}
