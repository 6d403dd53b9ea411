import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './agent-env.js';

const run = promisify(execFile);

/**
 * Real terminals for a test: a private tmux server (its own socket in a temporary directory, no
 * user config) whose sessions are the terminals a person would type into. `kill()` ends the
 * server and everything running in it.
 */
export class Tmux {
  private readonly dir = tempDir('tmux');
  private readonly socket = join(this.dir, 'socket');

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], {
      timeout: 10_000,
    });
    return stdout;
  }

  /**
   * Opens a 120x40 terminal named `name` running `command` (argv, run without a shell) with
   * `env` added. The terminal stays open after the command ends, so its last screen can be read.
   */
  async open(name: string, command: string[], env: Record<string, string>): Promise<void> {
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '40',
      'env',
      ...assignments,
      ...command,
    );
    await this.tmux('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  /** Types `text` literally, then presses Enter. */
  async type(name: string, text: string): Promise<void> {
    await this.tmux('send-keys', '-t', name, '-l', text);
    await this.tmux('send-keys', '-t', name, 'Enter');
  }

  /** Presses keys by tmux name, e.g. `C-c`, `C-d`. */
  async keys(name: string, ...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', name, ...keys);
  }

  /** The terminal's text: scrollback and screen, wrapped lines joined, trailing blanks cut. */
  async screen(name: string): Promise<string> {
    const text = await this.tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', name);
    return text.replace(/\s+$/, '');
  }

  /** Polls the terminal until `check` holds for its text; returns that text. */
  async waitFor(
    name: string,
    what: string,
    check: (screen: string) => boolean,
    timeoutMs = 30_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen(name);
      if (check(text)) return text;
      if (Date.now() > deadline) {
        throw new Error(`terminal ${name}: timed out waiting for ${what}; it shows:\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ends the tmux server and every program in it, and removes its socket. */
  async kill(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
