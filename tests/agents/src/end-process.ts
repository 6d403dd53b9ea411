import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to a child (a baton server or host the test started) and resolves once it has
 * exited; at once when it already had. SIGKILL is the test's `kill -9`: nothing is flushed beyond
 * what was committed.
 */
export async function endProcess(
  child: ChildProcess,
  signal: 'SIGKILL' | 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
