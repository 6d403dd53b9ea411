import { CliError, ExitCode } from '../cli-error.js';
import { resolveSettings } from '../config/resolve-settings.js';
import type { ParsedArgs } from '../parse-args.js';
import { isAlive, readPidFile, removePidFile, runningServer } from '../service/running-server.js';

const STOP_TIMEOUT_MS = 30_000;

/**
 * `baton stop-server`: stops the server holding the data directory (detached or not) with
 * SIGTERM, which stops its sessions and checkpoints the store, and waits until it has exited.
 * The pid comes from the data-directory lock's owner, the pid file being only a fallback
 * record; a directory nobody holds has nothing to stop.
 */
export async function stopServer(args: ParsedArgs): Promise<void> {
  const dataDir = resolveSettings(args).data;
  const running = await runningServer(dataDir);
  if (!running) {
    const stale = readPidFile(dataDir);
    removePidFile(dataDir);
    throw new CliError(
      `no baton server is running on ${dataDir}${stale !== undefined ? ` (removed a stale pid file naming ${stale})` : ''}`,
      ExitCode.Failed,
    );
  }
  const pid = running.pid ?? readPidFile(dataDir);
  if (pid === undefined)
    throw new CliError(
      `a server holds ${dataDir} but did not record its pid; stop it where it was started`,
      ExitCode.Failed,
    );
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    throw new CliError(`cannot signal pid ${pid}: ${(err as Error).message}`, ExitCode.Failed);
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new CliError(
        `the server (pid ${pid}) has not exited ${STOP_TIMEOUT_MS / 1000} s after SIGTERM; it may still be stopping sessions`,
        ExitCode.Failed,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  removePidFile(dataDir);
  process.stdout.write(`stopped the baton server (pid ${pid}) on ${dataDir}\n`);
}
