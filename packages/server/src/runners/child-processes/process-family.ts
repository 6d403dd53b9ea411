import { environHas, hasProcTable, listPids, readProcStat } from './proc-table.js';

/** The environment variable that marks a runner's child and everything started under it. */
export const CHILD_MARKER_VAR = 'BATON_CHILD';

/** One runner child as baton recorded it when it started it. */
export interface ChildIdentity {
  pid: number;
  /** From /proc/<pid>/stat; undefined where there is no /proc. */
  startTime: number | undefined;
  /** The value of BATON_CHILD in the child's environment, unique per child. */
  marker: string;
}

/** How often a stop checks whether the family is gone. */
const POLL_MS = 25;

/**
 * Every live process that belongs to a runner child: the child itself, everything in its
 * session or process group (the child is the leader of both: PTYs call setsid, agents are
 * spawned detached), every descendant of those, and every process whose environment carries
 * the child's marker (which catches programs that started their own session, like a dev server
 * started with setsid, unless they also cleared their environment).
 *
 * Never a reused pid: a process that started before the child cannot belong to it, and session
 * and group ids count only while they still name the child: when its pid is alive with its
 * start time, or (`afterCrash` false) when it has just exited, since Linux does not reuse a pid
 * while a session or group still carries it. After a crash the child may have died long ago and
 * its pid been reused for another session, so then only a live child (pid and start time) makes
 * the ids count; otherwise only the marker does. Zombies are left out: they are already dead and
 * only wait to be reaped by their parent.
 */
export function findFamily(child: ChildIdentity, options: { afterCrash?: boolean } = {}): number[] {
  if (!hasProcTable()) return [child.pid];
  const leader = readProcStat(child.pid);
  const leaderIsChild =
    leader !== undefined && child.startTime !== undefined && leader.startTime === child.startTime;
  const idsCount = leaderIsChild || (leader === undefined && options.afterCrash !== true);
  const stats = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const s = readProcStat(pid);
    if (!s || s.state === 'Z') continue;
    if (child.startTime !== undefined && s.startTime < child.startTime) continue;
    stats.push(s);
  }
  const family = new Set<number>();
  for (const s of stats) {
    const byIds =
      idsCount && (s.pid === child.pid || s.session === child.pid || s.pgrp === child.pid);
    if (byIds || environHas(s.pid, `${CHILD_MARKER_VAR}=${child.marker}`)) family.add(s.pid);
  }
  // Descendants that changed session and environment are still children of a member.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats) {
      if (!family.has(s.pid) && family.has(s.ppid)) {
        family.add(s.pid);
        grew = true;
      }
    }
  }
  return [...family];
}

/** Whether the child's pid still names the child (its start time matches; no /proc: assume so). */
function isChild(child: ChildIdentity): boolean {
  if (!hasProcTable()) return true;
  const s = readProcStat(child.pid);
  return s !== undefined && child.startTime !== undefined && s.startTime === child.startTime;
}

/** Whether any of `pids` is still a live (non-zombie) process. */
function anyAlive(pids: readonly number[]): boolean {
  if (!hasProcTable()) return pids.some((pid) => signal(pid, 0));
  return pids.some((pid) => {
    const s = readProcStat(pid);
    return s !== undefined && s.state !== 'Z';
  });
}

/** Sends a signal; false when the process is gone (or not ours). */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a runner child and its whole family: `firstSignal` (SIGTERM, or SIGHUP for a shell, which
 * is what a closing terminal sends) to the child and SIGTERM to the rest, then SIGKILL to
 * whatever is still alive after `graceMs`, including processes started meanwhile. Resolves when
 * every process found is gone, or right after the SIGKILL where there is no /proc to watch.
 */
export async function endFamily(
  child: ChildIdentity,
  options: { graceMs: number; firstSignal?: NodeJS.Signals; afterCrash?: boolean },
): Promise<number> {
  const find = { afterCrash: options.afterCrash === true };
  // The child first and at once, before the scan of /proc: a shell signalled while it is still
  // starting up has been seen to lose a hang-up that arrived a few milliseconds later.
  if (isChild(child)) signal(child.pid, options.firstSignal ?? 'SIGTERM');
  const first = findFamily(child, find);
  for (const pid of first) if (pid !== child.pid) signal(pid, 'SIGTERM');
  if (!hasProcTable()) signalGroup(child.pid, 'SIGTERM');
  const deadline = Date.now() + options.graceMs;
  while (anyAlive(first) && Date.now() < deadline) await sleep(POLL_MS);
  const rest = [...new Set([...first, ...findFamily(child, find)])];
  for (const pid of rest) signal(pid, 'SIGKILL');
  if (!hasProcTable()) signalGroup(child.pid, 'SIGKILL');
  // SIGKILL cannot be caught; the wait is only for the kernel to finish the kills.
  const killDeadline = Date.now() + 5_000;
  while (anyAlive(rest) && Date.now() < killDeadline) await sleep(POLL_MS);
  return first.length;
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // No such group any more.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
