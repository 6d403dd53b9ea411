import { readFileSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Handlers } from '../ipc.js';

/** Resource use of a server process since the last `stats.reset`. */
export interface ServerStats {
  /** User + system CPU time, microseconds. */
  cpuUs: number;
  /** Wall time the CPU figure covers, microseconds. */
  wallUs: number;
  /** Resident set size after a full GC, bytes. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Event-loop delay, milliseconds. */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Garbage collections and their pauses (PerformanceObserver 'gc'), milliseconds. */
  gcCount: number;
  gcPauseTotalMs: number;
  gcPauseMaxMs: number;
  /** Read and write system calls of the whole process (/proc/self/io), when Linux says. */
  readSyscalls?: number;
  writeSyscalls?: number;
  /** Context switches of the event-loop thread (/proc/self/status). */
  voluntarySwitches?: number;
  involuntarySwitches?: number;
  /**
   * Time the event-loop thread was runnable but waiting for a core (/proc/self/schedstat),
   * milliseconds: on a shared machine, the part of the tail that no server code can remove.
   */
  runQueueWaitMs?: number;
  /** Group commits of the log and the events they stored (baton's, from its own metrics). */
  commits?: number;
  committedEvents?: number;
}

/** A server's running totals of group commits and the events in them, when it can say. */
export type CommitTotals = () => Promise<{ commits: number; events: number } | undefined>;

interface ProcCounters {
  readSyscalls?: number;
  writeSyscalls?: number;
  voluntarySwitches?: number;
  involuntarySwitches?: number;
  runQueueWaitNs?: number;
}

function field(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Linux only; elsewhere every counter is undefined and the report prints a dash. */
function readProc(): ProcCounters {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const io = read('/proc/self/io');
  const status = read('/proc/self/status');
  const sched = read('/proc/self/schedstat').trim().split(/\s+/);
  const out: ProcCounters = {};
  const set = (key: keyof ProcCounters, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) out[key] = v;
  };
  set('readSyscalls', field(io, 'syscr'));
  set('writeSyscalls', field(io, 'syscw'));
  set('voluntarySwitches', field(status, 'voluntary_ctxt_switches'));
  set('involuntarySwitches', field(status, 'nonvoluntary_ctxt_switches'));
  set('runQueueWaitNs', sched.length >= 2 ? Number(sched[1]) : undefined);
  return out;
}

const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

/**
 * The `stats.reset` and `stats` commands every server process under test answers, measured inside
 * that process so the load generators' own CPU is not counted. `commitTotals`, for a server that
 * stores, is read before the other figures are reset and after they are taken, so that reading
 * it is not counted either.
 */
export function statsHandlers(commitTotals?: CommitTotals): Handlers {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let cpuBase = process.cpuUsage();
  let wallBase = process.hrtime.bigint();
  let procBase = readProc();
  const gcs = { count: 0, totalMs: 0, maxMs: 0 };
  // Entries arrive asynchronously: one that started before the last reset is not counted.
  let resetAt = performance.now();
  // The forced GC of `stats` itself is observed too; it runs after the figures are taken.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < resetAt) continue;
      gcs.count++;
      gcs.totalMs += entry.duration;
      gcs.maxMs = Math.max(gcs.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const gc = (globalThis as { gc?: () => void }).gc;
  let commitBase: { commits: number; events: number } | undefined;
  return {
    'stats.reset': async () => {
      commitBase = await commitTotals?.();
      delay.reset();
      cpuBase = process.cpuUsage();
      wallBase = process.hrtime.bigint();
      procBase = readProc();
      resetAt = performance.now();
      gcs.count = 0;
      gcs.totalMs = 0;
      gcs.maxMs = 0;
      return {};
    },
    stats: async (): Promise<ServerStats> => {
      const cpu = process.cpuUsage(cpuBase);
      const wallUs = Number((process.hrtime.bigint() - wallBase) / 1000n);
      const ms = (ns: number) => ns / 1e6;
      const proc = readProc();
      const runQueueWaitNs = diff(proc.runQueueWaitNs, procBase.runQueueWaitNs);
      const result: Omit<ServerStats, 'rssBytes' | 'heapUsedBytes'> = {
        cpuUs: cpu.user + cpu.system,
        wallUs,
        eventLoopDelayP50Ms: ms(delay.percentile(50)),
        eventLoopDelayP99Ms: ms(delay.percentile(99)),
        eventLoopDelayMaxMs: ms(delay.max),
        gcCount: gcs.count,
        gcPauseTotalMs: gcs.totalMs,
        gcPauseMaxMs: gcs.maxMs,
      };
      const counters = {
        readSyscalls: diff(proc.readSyscalls, procBase.readSyscalls),
        writeSyscalls: diff(proc.writeSyscalls, procBase.writeSyscalls),
        voluntarySwitches: diff(proc.voluntarySwitches, procBase.voluntarySwitches),
        involuntarySwitches: diff(proc.involuntarySwitches, procBase.involuntarySwitches),
        runQueueWaitMs: runQueueWaitNs === undefined ? undefined : ms(runQueueWaitNs),
      };
      for (const [k, v] of Object.entries(counters)) {
        if (v !== undefined) (result as Record<string, number>)[k] = v;
      }
      const commits = await commitTotals?.();
      if (commits && commitBase) {
        result.commits = commits.commits - commitBase.commits;
        result.committedEvents = commits.events - commitBase.events;
      }
      gc?.();
      const mem = process.memoryUsage();
      return { ...result, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed };
    },
  };
}
