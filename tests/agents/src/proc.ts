import { readFileSync, readdirSync } from 'node:fs';

/** A process named by pid and start time, so a reused pid never counts as the same process. */
export interface Proc {
  pid: number;
  startTime: number;
}

/** The start time (clock ticks since boot) of a live, non-zombie process; undefined otherwise. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[0] === 'Z' ? undefined : Number(rest[19]);
  } catch {
    return undefined;
  }
}

/** Whether that very process (not a later one with its pid) is still running. */
export const alive = (p: Proc): boolean => startTimeOf(p.pid) === p.startTime;

/** Live processes whose command line has `arg` and whose environment has `entry` (`KEY=value`). */
export function processesWith(arg: string, entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || startTimeOf(pid) === undefined) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (argv.includes(arg) && env.includes(entry)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
