import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { endFamily, findFamily, type ChildIdentity } from './process-family.js';
import { bootId, hasProcTable, readProcStat } from './proc-table.js';

/** The file in the data directory that lists the runner children this server started. */
export const CHILDREN_FILE = 'children.json';

/** The `sessionId` recorded for a helper process that belongs to no session. */
const NO_SESSION = '(no session)';

/** How long orphans from a crashed server get between SIGTERM and SIGKILL. */
const ORPHAN_GRACE_MS = 2_000;

/** One started child as stored in `children.json`. */
export interface ChildEntry extends ChildIdentity {
  sessionId: string;
  /** /proc/sys/kernel/random/boot_id when it started: start times only compare within a boot. */
  bootId: string;
}

interface ChildrenFile {
  version: 1;
  children: ChildEntry[];
}

/** What a runner uses to start and end its children; bound to one session. */
export interface ChildTracker {
  /** A fresh marker for the next child: put it in the child's env as BATON_CHILD. */
  newMarker(): string;
  /** Records a child right after it was spawned. */
  started(pid: number, marker: string): ChildIdentity;
  /** Ends the child and every process it started (see endFamily), then forgets it. */
  end(
    child: ChildIdentity,
    options: { graceMs: number; firstSignal?: NodeJS.Signals },
  ): Promise<void>;
}

/**
 * Every runner child this server started, persisted in `<data>/children.json` so that the next
 * start, after a crash or `kill -9`, can end the ones still running before it resumes anything:
 * otherwise a re-parented agent goes on calling its API beside the resumed conversation.
 *
 * The file is rewritten whole, atomically (write, fsync, rename), on every start and end of a
 * child. Those are rare, so the writes are synchronous: the file is on disk before the spawn
 * call returns to the runner, and no two writes can interleave.
 */
export class ChildRegistry {
  private readonly children = new Map<string, ChildEntry>();
  private readonly file: string;
  private readonly boot = bootId();

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.file = join(dataDir, CHILDREN_FILE);
  }

  /**
   * Ends the families of children a previous server left running, then empties the file. Only
   * a child whose pid is alive with the stored start time, or processes carrying its marker,
   * are ended: a pid the system gave to another program since is never signalled.
   * Call before any session resumes, and only while holding the data directory.
   */
  async reapOrphans(): Promise<void> {
    const entries = this.readFile();
    if (entries.length > 0 && !hasProcTable()) {
      // Without /proc a pid cannot be told from a reused one, so none is signalled.
      this.log.warn('cannot check for processes a previous baton server left running here', {
        recorded: entries.length,
      });
      entries.length = 0;
    }
    const ends: Array<Promise<unknown>> = [];
    for (const entry of entries) {
      if (entry.bootId !== this.boot) continue;
      const family = findFamily(entry, { afterCrash: true });
      if (family.length === 0) continue;
      const leader = readProcStat(entry.pid);
      const leaderAlive = leader !== undefined && leader.startTime === entry.startTime;
      this.log.warn('ending processes a previous baton server left running', {
        session: entry.sessionId,
        pid: entry.pid,
        leaderAlive,
        processes: family.length,
      });
      // All at once: each family gets the same grace, and the start waits for one grace only.
      ends.push(endFamily(entry, { graceMs: ORPHAN_GRACE_MS, afterCrash: true }));
    }
    await Promise.all(ends);
    // A full disk must not keep the server from starting: the file is written again at the
    // next child's start or end.
    this.writeLogged();
  }

  /**
   * The tracker for helpers that belong to no session: a short-lived `codex app-server` that
   * lists threads or reads one to adopt. Recorded like a session's children, so a crash
   * never leaks one.
   */
  outsideSessions(): ChildTracker {
    return this.forSession(NO_SESSION);
  }

  /** The tracker a session's runners use. */
  forSession(sessionId: string): ChildTracker {
    return {
      newMarker: () => randomUUID(),
      started: (pid, marker) => this.started(sessionId, pid, marker),
      end: async (child, options) => {
        try {
          await endFamily(child, options);
        } finally {
          this.forget(child);
        }
      },
    };
  }

  private started(sessionId: string, pid: number, marker: string): ChildIdentity {
    const entry: ChildEntry = {
      sessionId,
      pid,
      startTime: readProcStat(pid)?.startTime,
      marker,
      bootId: this.boot,
    };
    this.children.set(marker, entry);
    this.writeLogged();
    return entry;
  }

  private forget(child: ChildIdentity): void {
    if (this.children.delete(child.marker)) this.writeLogged();
  }

  private readFile(): ChildEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as Partial<ChildrenFile>;
      if (!Array.isArray(parsed.children)) throw new Error('no "children" list');
      return parsed.children.filter(
        (c): c is ChildEntry =>
          typeof c === 'object' &&
          c !== null &&
          Number.isInteger(c.pid) &&
          c.pid > 1 &&
          typeof c.marker === 'string' &&
          c.marker.length > 0,
      );
    } catch (err) {
      this.log.error(`${this.file} is unreadable; processes it listed are not ended`, {
        error: (err as Error).message,
      });
      return [];
    }
  }

  private writeLogged(): void {
    try {
      this.write();
    } catch (err) {
      // A runner still works without the file; only the cleanup after a crash is lost.
      this.log.error(`could not write ${this.file}`, { error: (err as Error).message });
    }
  }

  private write(): void {
    const body: ChildrenFile = { version: 1, children: [...this.children.values()] };
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      try {
        writeSync(fd, JSON.stringify(body, null, 2) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
    } catch (err) {
      // A half-written copy (a full disk) is worth nothing: leave the last good file alone.
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}

/** A tracker for runner unit tests: real process-family ends, nothing persisted. */
export function unpersistedChildTracker(): ChildTracker {
  return {
    newMarker: () => randomUUID(),
    started: (pid, marker) => ({ pid, marker, startTime: readProcStat(pid)?.startTime }),
    end: async (child, options) => {
      await endFamily(child, options);
    },
  };
}
