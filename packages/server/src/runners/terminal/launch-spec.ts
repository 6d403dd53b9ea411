import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { TerminalConfig } from '@baton/protocol';
import { childEnv } from '../child-processes/child-env.js';
import { RunnerError } from '../runner.js';

/** Everything needed to spawn a session's PTY, checked to exist. */
export interface LaunchSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;

/**
 * Resolves a terminal session's config into a launch spec: the shell defaults to $SHELL or
 * /bin/bash, the working directory to the server's, the size to 80x24; the session's env is
 * merged over the server's (without baton's own variables, see childEnv) with
 * TERM=xterm-256color (the session may override TERM), and `marker` as BATON_CHILD.
 *
 * Rejects with a RunnerError('bad_request') naming the bad directory or program, because node-pty
 * reports neither clearly (the child just exits).
 */
export async function resolveLaunchSpec(
  config: TerminalConfig,
  marker: string,
): Promise<LaunchSpec> {
  const env = childEnv({ TERM: 'xterm-256color', ...config.env }, marker);

  const cwd = config.cwd ?? process.cwd();
  const dir = await stat(cwd).catch(() => undefined);
  if (!dir?.isDirectory()) {
    throw new RunnerError(
      'bad_request',
      `Working directory "${cwd}" does not exist or is not a directory; create it or choose another cwd.`,
    );
  }

  const shell = config.shell ?? process.env.SHELL ?? '/bin/bash';
  const file = await findExecutable(shell, cwd, env.PATH ?? '');
  if (file === undefined) {
    throw new RunnerError(
      'bad_request',
      `Shell "${shell}" was not found or is not executable; give a full path to an installed program.`,
    );
  }

  return {
    file,
    args: config.args ?? [],
    cwd,
    env,
    cols: config.cols ?? DEFAULT_COLS,
    rows: config.rows ?? DEFAULT_ROWS,
  };
}

/** A program name resolved like a shell would: paths as given (relative to cwd), names on PATH. */
async function findExecutable(
  name: string,
  cwd: string,
  path: string,
): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : join(cwd, name)]
    : path
        .split(delimiter)
        .filter((d) => d.length > 0)
        .map((d) => join(d, name));
  for (const candidate of candidates) {
    const s = await stat(candidate).catch(() => undefined);
    if (!s?.isFile()) continue;
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}
