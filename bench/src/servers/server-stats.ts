import { monitorEventLoopDelay } from 'node:perf_hooks';
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
}

/**
 * The `stats.reset` and `stats` commands every server process under test answers, measured inside
 * that process so the load generators' own CPU is not counted.
 */
export function statsHandlers(): Handlers {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let cpuBase = process.cpuUsage();
  let wallBase = process.hrtime.bigint();
  const gc = (globalThis as { gc?: () => void }).gc;
  return {
    'stats.reset': () => {
      delay.reset();
      cpuBase = process.cpuUsage();
      wallBase = process.hrtime.bigint();
      return {};
    },
    stats: (): ServerStats => {
      const cpu = process.cpuUsage(cpuBase);
      const wallUs = Number((process.hrtime.bigint() - wallBase) / 1000n);
      const ms = (ns: number) => ns / 1e6;
      const result = {
        cpuUs: cpu.user + cpu.system,
        wallUs,
        eventLoopDelayP50Ms: ms(delay.percentile(50)),
        eventLoopDelayP99Ms: ms(delay.percentile(99)),
        eventLoopDelayMaxMs: ms(delay.max),
      };
      gc?.();
      const mem = process.memoryUsage();
      return { ...result, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed };
    },
  };
}
