import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/**
 * How busy the machine was around a run, to decide whether the run may be called quiet.
 *
 * The 1-minute load average before the run shows work that was already going on. During the run
 * the benchmark's own processes keep the cores busy, so the load average then says nothing about
 * competition; instead the CPU time of the whole machine (/proc/stat) minus the CPU time of this
 * process and its reaped children (the servers and load generators, /proc/self/stat) is the work
 * other processes did while the benchmark ran.
 */
export interface LoadSample {
  load1: number;
  /** Busy CPU ticks of the whole machine, or undefined where /proc is missing. */
  machineTicks?: number;
  /** CPU ticks of this process plus its waited-for children. */
  ownTicks?: number;
  atMs: number;
}

/** A run is quiet when the load before it was under this, per core… */
export const QUIET_LOAD_PER_CORE = 0.25;
/** …and other processes used under this many cores on average while it ran. */
export const QUIET_OTHER_CORES = 0.2;
/** Clock ticks per second of /proc on Linux (USER_HZ). */
const TICKS_PER_SEC = 100;

export function sampleLoad(): LoadSample {
  const sample: LoadSample = { load1: loadavg()[0] ?? 0, atMs: Date.now() };
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = cpu.slice(1).map(Number);
    sample.machineTicks =
      (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    // Fields 14–17 of /proc/self/stat: utime stime cutime cstime. The name (field 2) may hold
    // spaces, so count from the closing parenthesis.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    sample.ownTicks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i] ?? 0), 0);
  } catch {
    // Not Linux: only the load average is known.
  }
  return sample;
}

export interface LoadVerdict {
  quiet: boolean;
  /** One line for the report header. */
  note: string;
}

export function judgeLoad(before: LoadSample, after: LoadSample): LoadVerdict {
  const cores = cpus().length;
  const seconds = (after.atMs - before.atMs) / 1000;
  let otherCores: number | undefined;
  if (
    before.machineTicks !== undefined &&
    after.machineTicks !== undefined &&
    before.ownTicks !== undefined &&
    after.ownTicks !== undefined &&
    seconds > 0
  ) {
    const other = after.machineTicks - before.machineTicks - (after.ownTicks - before.ownTicks);
    otherCores = Math.max(0, other / TICKS_PER_SEC / seconds);
  }
  const quietBefore = before.load1 < QUIET_LOAD_PER_CORE * cores;
  const quietDuring = otherCores !== undefined && otherCores < QUIET_OTHER_CORES;
  const quiet = quietBefore && quietDuring;
  const during =
    otherCores === undefined
      ? 'other processes during the run: not measurable here'
      : `other processes used ${otherCores.toFixed(2)} cores on average during the run`;
  return {
    quiet,
    note:
      `Load average (1 min) at start ${before.load1.toFixed(2)}, at end ${after.load1.toFixed(2)} on ${cores} cores; ${during}. ` +
      `A run is called quiet only when the start load is under ${(QUIET_LOAD_PER_CORE * cores).toFixed(2)} and other processes used under ${QUIET_OTHER_CORES} cores: ` +
      (quiet
        ? 'this run was QUIET.'
        : 'this run was NOT quiet: other work competed with the servers and the load generators, so absolute figures are pessimistic; ratios measured in the same run are the comparable part.'),
  };
}
