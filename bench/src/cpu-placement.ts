import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/*
 * Where the bench's processes run, for the experiments on sharing the cores (`--pin`,
 * `--nice-load`, `--batch-load`; docs/benchmarks.md, "A core of its own"). Linux keeps the CPU
 * affinity, the niceness and the scheduling policy per thread, so each is set on every thread of
 * a process; threads it starts later inherit them from the thread that starts them.
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

/**
 * Puts every thread of `pid` under `SCHED_BATCH` with util-linux's `chrt`. The kernel's fair
 * scheduler never lets a waking batch thread preempt the running one: a load generator woken by
 * the server's write to one of its sockets then waits for the server to block (or for the tick)
 * instead of taking its core between one write and the next, as a device on another machine
 * would never do. Its share of the CPU is unchanged.
 */
export function batchEveryThread(pid: number): void {
  try {
    execFileSync('chrt', ['-a', '-b', '-p', '0', String(pid)], { stdio: 'ignore' });
  } catch (e) {
    throw new Error(
      `--batch-load: could not set SCHED_BATCH on process ${pid} with chrt (${(e as Error).message}); install util-linux or drop --batch-load`,
    );
  }
}
