import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The tmux server's surroundings. */
export interface TmuxOptions {
  /** The environment of the tmux server, and so of every pane; this process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Lines of its configuration file; none by default (no user configuration either way). */
  config?: string[];
}

/**
 * Real terminals for a test: a private tmux server (its own socket in a temporary directory, no
 * user configuration) whose panes are the terminals a person would type into: keys are typed
 * with `send-keys`, the screen is read with `capture-pane`. `kill()` ends the server and
 * everything running in it.
 */
export class Tmux {
  private readonly dir = mkdtempSync(join(tmpdir(), 'baton-tmux-'));
  private readonly socket = join(this.dir, 'socket');
  private readonly config = join(this.dir, 'tmux.conf');
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: TmuxOptions = {}) {
    this.env = options.env ?? process.env;
    writeFileSync(this.config, (options.config ?? []).map((line) => `${line}\n`).join(''));
  }

  /** Runs one tmux command on this server and returns its stdout. */
  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, '-f', this.config, ...args], {
      env: this.env,
      timeout: 10_000,
    });
    return stdout;
  }

  /**
   * A detached session of `cols` x `rows` running `command`: one string is run by the shell,
   * several are argv run without one.
   */
  async newSession(
    name: string,
    cols: number,
    rows: number,
    ...command: [string, ...string[]] | []
  ): Promise<void> {
    const argv = command.length > 0 ? command : ['/bin/sh'];
    await this.tmux('new-session', '-d', '-s', name, '-x', `${cols}`, '-y', `${rows}`, ...argv);
  }

  /**
   * Opens a 120x40 terminal named `name` running `command` (argv, run without a shell) with
   * `env` added. The terminal stays open after the command ends, so its last screen can be read.
   */
  async open(name: string, command: string[], env: Record<string, string>): Promise<void> {
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    await this.newSession(name, 120, 40, 'env', ...assignments, ...command);
    await this.tmux('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  /** Types `text` literally, then Enter unless `enter` is false. */
  async type(target: string, text: string, enter = true): Promise<void> {
    await this.tmux('send-keys', '-t', target, '-l', text);
    if (enter) await this.tmux('send-keys', '-t', target, 'Enter');
  }

  /** Presses keys by tmux key name, e.g. `C-c`, `C-\\`. */
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

  /** The terminal's text: scrollback and screen, wrapped lines joined, trailing blanks cut. */
  async screen(target: string): Promise<string> {
    const text = await this.tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', target);
    return text.replace(/\s+$/, '');
  }

  /** Polls the terminal until `check` holds for its text; returns that text. */
  async waitFor(
    target: string,
    what: string,
    check: (screen: string) => boolean,
    timeoutMs = 30_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen(target);
      if (check(text)) return text;
      if (Date.now() > deadline) {
        throw new Error(`terminal ${target}: timed out waiting for ${what}; it shows:\n${text}`);
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
