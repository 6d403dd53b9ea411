import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadServer } from '../commands/load-server.js';

/** Files of a server started with `baton serve --detach`, in its data directory. */
export const pidFile = (dataDir: string) => join(dataDir, 'baton.pid');
export const logFile = (dataDir: string) => join(dataDir, 'baton.log');

export interface RunningServerInfo {
  pid: number | undefined;
  url: string | undefined;
}

/**
 * Which server, if any, holds the data directory now. Decided by the data-directory lock itself
 * (taken and released at once when free), never by a pid file alone: after a `kill -9` a pid file
 * may name a pid the system has since given to an unrelated process.
 */
export async function runningServer(dataDir: string): Promise<RunningServerInfo | undefined> {
  if (!existsSync(dataDir)) return undefined;
  // The lock is an SQLite file: the server module (and its native modules) is loaded only here.
  const { DataDirLock, DataDirLockedError } = await loadServer();
  try {
    DataDirLock.acquire(dataDir).release();
    return undefined;
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    return { pid: err.owner?.pid, url: err.owner?.url };
  }
}

/** The pid recorded by `serve --detach`, if the file is there and readable. */
export function readPidFile(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(dataDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(dataDir: string): void {
  rmSync(pidFile(dataDir), { force: true });
}

/** Whether the process exists and has not exited (a zombie awaiting its reaper has exited). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: field 3 of /proc/PID/stat is the state; Z is a zombie. Elsewhere, kill(0) decides.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
