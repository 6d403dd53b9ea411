import { protocolOf, type SystemName } from '../drivers/connection.js';
import { LoadCluster } from '../load/cluster.js';
import { SyscallCounter } from '../syscall-counter.js';
import { startServerProcess, type ServerProcess } from '../server-process.js';

/** Options every scenario run shares, from the command line. */
export interface HarnessOptions {
  /** When set, the baton server writes a V8 CPU profile here. */
  cpuProfileDir?: string;
  /** Where the baseline systems' build lives (`--baseline`). */
  baselineDir?: string;
  /** When set, `strace -c -f` counts the baton server's system calls into a file here. */
  straceDir?: string;
  /** When set, the server under test runs on CPU 1 alone and everything else on CPU 0 (`--pin`). */
  pinServer?: boolean;
  /** When set, the load generators run at this niceness (`--nice-load`). */
  niceLoad?: number;
  /** When set, the load generators run under SCHED_BATCH (`--batch-load`). */
  batchLoad?: boolean;
}

let harnessOptions: HarnessOptions = {};

export function setHarnessOptions(options: HarnessOptions): void {
  harnessOptions = options;
}

/** The baseline checkout (`--baseline`), for scenarios that start its programs themselves. */
export function baselineDir(): string | undefined {
  return harnessOptions.baselineDir;
}

/**
 * Starts a fresh server process and fresh load generators for one run, and stops both
 * whatever happens, so no run inherits another's connections, memory or backlog.
 */
export async function withServer<T>(
  system: SystemName,
  loadProcesses: number,
  body: (server: ServerProcess, cluster: LoadCluster) => Promise<T>,
): Promise<T> {
  const isBaton = protocolOf(system) === 'baton';
  const server = await startServerProcess(system, {
    ...(isBaton && harnessOptions.cpuProfileDir
      ? { cpuProfileDir: harnessOptions.cpuProfileDir }
      : {}),
    ...(harnessOptions.baselineDir ? { baselineDir: harnessOptions.baselineDir } : {}),
    ...(harnessOptions.pinServer ? { pinServer: true } : {}),
  });
  const straced =
    isBaton && harnessOptions.straceDir
      ? await SyscallCounter.attach(server.pid, harnessOptions.straceDir, `${system}-${server.pid}`)
      : undefined;
  let cluster: LoadCluster | undefined;
  try {
    cluster = await LoadCluster.start(
      loadProcesses,
      harnessOptions.niceLoad ?? 0,
      harnessOptions.batchLoad === true,
    );
    return await body(server, cluster);
  } finally {
    await straced?.detach();
    await cluster?.stop();
    await server.stop();
  }
}

/** Load generator processes for a population: enough to spread the work, no more than cores × 2. */
export function loadProcessesFor(connections: number): number {
  return Math.max(1, Math.min(4, Math.ceil(connections / 100)));
}
