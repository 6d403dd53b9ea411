import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private tmux server (its own socket and an empty configuration) whose panes play the user's
 * terminal: keys are typed with `send-keys`, the screen is read with `capture-pane`.
 */
export class Tmux {
  private readonly socket = `baton-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly config: string;

  /**
   * `dir` holds the configuration file; `env` is the environment of the tmux server, and so of
   * every pane.
   */
  constructor(
    dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.config = join(dir, 'tmux.conf');
    // No status line: the pane is the whole window. Keys are never held back as escapes.
    writeFileSync(this.config, 'set -g status off\nset -g escape-time 0\n');
  }

  /** Runs one tmux command on this server and returns its stdout. */
  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, '-f', this.config, ...args], {
      env: this.env,
    });
    return stdout;
  }

  /** A detached session of `cols` x `rows` running `command` (a shell by default). */
  async newSession(name: string, cols: number, rows: number, command = '/bin/sh'): Promise<void> {
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(cols),
      '-y',
      String(rows),
      command,
    );
  }

  /** Types `text` literally, then Enter unless `enter` is false. */
  async type(target: string, text: string, enter = true): Promise<void> {
    await this.tmux('send-keys', '-t', target, '-l', text);
    if (enter) await this.tmux('send-keys', '-t', target, 'Enter');
  }

  /** Presses keys by tmux key name, e.g. `C-\\`. */
  async keys(target: string, ...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', target, ...keys);
  }

  /** The pane's visible lines, trailing blanks trimmed. */
  async lines(target: string): Promise<string[]> {
    const out = await this.tmux('capture-pane', '-p', '-t', target);
    return out
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.trimEnd());
  }

  /** Ends the tmux server and everything running in it. */
  async kill(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
  }
}
