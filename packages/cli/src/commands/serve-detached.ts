import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, ExitCode } from '../cli-error.js';
import type { Settings } from '../config/resolve-settings.js';
import type { ParsedArgs } from '../parse-args.js';
import { logFile, pidFile, runningServer } from '../service/running-server.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
/** How long the detached server may take to say it serves. */
const START_TIMEOUT_MS = 60_000;

/**
 * `baton serve --detach`: starts `baton serve` with the same options as a background process
 * (its own session, stdin closed), its output appended to `<data>/baton.log`, and returns once
 * it serves, writing its pid to `<data>/baton.pid`. If it fails to start, the failure from the
 * log is shown here and the exit status is 1.
 */
export async function serveDetached(args: ParsedArgs, settings: Settings): Promise<void> {
  const dataDir = settings.data;
  const running = await runningServer(dataDir);
  if (running)
    throw new CliError(
      `a baton server already runs on ${dataDir} (pid ${running.pid ?? '?'}${running.url ? `, ${running.url}` : ''}); stop it with baton stop-server --data ${dataDir}`,
      ExitCode.Failed,
    );
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = logFile(dataDir);
  const out = openSync(log, 'a', 0o600);
  const offset = statSync(log).size;
  const argv = [MAIN, 'serve'];
  for (const [name, value] of args.flags) {
    if (name === 'detach') continue;
    argv.push(value === true ? `--${name}` : `--${name}=${value}`);
  }
  // The data directory the settings chose, whatever chose it: the child must use the same one.
  if (!args.flags.has('data')) argv.push(`--data=${dataDir}`);
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  closeSync(out);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const text = readFrom(log, offset);
    const served = /baton is serving at (\S+)/.exec(text);
    if (served) {
      writeFileSync(pidFile(dataDir), `${child.pid}\n`, { mode: 0o600 });
      process.stdout.write(
        `baton is serving at ${served[1]} in the background (pid ${child.pid})\n` +
          `  log: ${log}\n  stop with: baton stop-server --data ${dataDir}\n`,
      );
      return;
    }
    if (exited !== undefined)
      throw new CliError(
        `the detached server exited (status ${exited ?? 'signal'}) before serving:\n${text.trim() || '(no output)'}`,
        ExitCode.Failed,
      );
    if (Date.now() > deadline)
      throw new CliError(
        `the detached server (pid ${child.pid}) has not said it serves after ${START_TIMEOUT_MS / 1000} s; see ${log}`,
        ExitCode.Failed,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readFrom(file: string, offset: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
