import { spawn } from 'node-pty';
import { until } from './until.js';

/**
 * Runs `baton attach <session>` in a real pseudo-terminal, types `command` into the session, waits
 * for `expect` on the screen, then detaches with Ctrl-\ and returns attach's exit code.
 */
export async function attachTypeAndDetach(
  baton: string,
  session: string,
  env: NodeJS.ProcessEnv,
  command: string,
  expect: string,
): Promise<number> {
  const pty = spawn(baton, ['attach', session], {
    name: 'xterm-256color',
    cols: 100,
    rows: 30,
    env: env as Record<string, string>,
  });
  let screen = '';
  let exitCode: number | undefined;
  pty.onData((d) => (screen += d));
  pty.onExit((e) => (exitCode = e.exitCode));
  try {
    // attach clears the screen once it has the session's current screen: type only after that.
    await until('attach to draw the session', () => screen.includes('\x1b[2J'));
    pty.write(`${command}\r`);
    await until(`'${expect}' in the attached terminal`, () => screen.includes(expect));
    pty.write('\x1c');
    const exited = await until('attach to exit after Ctrl-\\', () =>
      exitCode === undefined ? false : { code: exitCode },
    );
    return exited.code;
  } finally {
    if (exitCode === undefined) pty.kill();
  }
}
