import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/*
 * Where the bench's processes run, for the experiments on sharing the cores (`--pin`,
 * `--nice-load`; docs/benchmarks.md, "A core of its own"). Linux keeps both the CPU affinity and
 * the niceness per thread, so each is set on every thread of a process; threads it starts later
 * inherit them from the thread that starts them.
 */

/** Sets the CPU affinity of every thread of `pid` with util-linux's `taskset`. */
export function pinToCpu(pid: number, cpu: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch (e) {
    throw new Error(
      `--pin: could not move process ${pid} to CPU ${cpu} with taskset (${(e as Error).message}); install util-linux or drop --pin`,
    );
  }
}

/** Sets the niceness of every thread of `pid`. */
export function niceEveryThread(pid: number, nice: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), nice);
}
