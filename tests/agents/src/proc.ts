import { readFileSync } from 'node:fs';

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
