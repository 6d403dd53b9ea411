import { spawn, type IPty } from 'node-pty';
import type { ChildIdentity } from '../child-processes/process-family.js';
import type { InputEvent, Runner, RunnerContext } from '../runner.js';
import { RunnerError } from '../runner.js';
import { drainOnClose } from './drain-on-close.js';
import { resolveLaunchSpec } from './launch-spec.js';
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher.js';

export interface TerminalRunnerOptions {
  /** Output batching (default about 5 ms or 64 KiB per event). */
  batching?: OutputBatcherOptions;
  /** Time between SIGHUP (SIGTERM for what the shell started) and SIGKILL on stop. Default 2 s. */
  killAfterMs?: number;
}

/**
 * A shell in a PTY owned by the server. The PTY outlives every connection: clients only send
 * inputs and resizes through the session, and its output goes to the session's log as batched
 * `terminal.output` events (see OutputBatcher for the ordering guarantees).
 *
 * Lifecycle: `start` spawns and records `running`; when the process ends, all its output is
 * committed first and then `exited` is recorded with its exit code and signal. `stop` sends
 * SIGHUP to the shell (what a closing terminal sends) and SIGTERM to everything it started,
 * then SIGKILL to whatever is still alive after `killAfterMs`, and resolves once the exit has
 * been recorded. When the shell ends by itself, what it left running in the background is
 * ended the same way: no process of a session outlives it.
 */
export class TerminalRunner implements Runner {
  private pty: IPty | undefined;
  private readonly batcher: OutputBatcher;
  private readonly killAfterMs: number;
  /** Resolves after the exit has been recorded. */
  private exited: Promise<void> | undefined;
  private hasExited = false;
  private lastDataAt = 0;
  private child: ChildIdentity | undefined;
  /** Set once the shell's process family is being ended; there is only ever one end. */
  private ending: Promise<void> | undefined;

  constructor(
    private readonly ctx: RunnerContext,
    options: TerminalRunnerOptions = {},
  ) {
    this.killAfterMs = options.killAfterMs ?? 2000;
    // ctx.emit holds a batch while the store cannot write; the batcher then pauses the PTY.
    this.batcher = new OutputBatcher((events) => ctx.emit(events), {
      ...options.batching,
      onError: (err) => ctx.log.error('terminal output could not be stored', { err: String(err) }),
      onPressure: (paused) => {
        if (!this.pty || this.hasExited) return;
        if (paused) this.pty.pause();
        else this.pty.resume();
      },
    });
  }

  async start(): Promise<void> {
    if (this.pty) throw new RunnerError('bad_request', 'This terminal is already running.');
    const marker = this.ctx.children.newMarker();
    const spec = await resolveLaunchSpec(this.ctx.config, marker);
    let pty: IPty;
    try {
      pty = spawn(spec.file, spec.args, {
        name: 'xterm-256color',
        cols: spec.cols,
        rows: spec.rows,
        cwd: spec.cwd,
        env: spec.env,
      });
    } catch (err) {
      throw new RunnerError('bad_request', `Could not start "${spec.file}": ${String(err)}`);
    }
    this.pty = pty;
    // node-pty's child calls setsid: the shell leads its own session and process group.
    const child = this.ctx.children.started(pty.pid, marker);
    this.child = child;
    this.exited = new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        this.hasExited = true;
        this.endFamily(child, 'SIGTERM');
        // node-pty can report the exit before the last output has been read from the PTY:
        // wait until the output has been quiet briefly, so the final lines are not lost.
        resolve(this.outputSettled().then(() => this.recordExit(exitCode, signal)));
      });
    });
    const onData = (data: string) => {
      this.lastDataAt = Date.now();
      this.batcher.push(data);
    };
    pty.onData(onData);
    drainOnClose(pty, onData);
    // The log states the size the PTY started with, so the screen's projection matches it even
    // when the session is restarted after an earlier resize.
    this.batcher.enqueue({ type: 'terminal.resized', data: { cols: spec.cols, rows: spec.rows } });
    this.ctx.log.info('terminal started', { pid: pty.pid, file: spec.file, cwd: spec.cwd });
    await this.ctx.setStatus('running');
  }

  /** Writes the bytes to the PTY. Rejects when the shell has ended or the input is a message. */
  input(event: InputEvent): Promise<void> {
    return settle(() => {
      const payload = event.data.payload;
      if (payload.kind !== 'terminal') {
        throw new RunnerError('bad_request', 'A terminal takes terminal input, not chat messages.');
      }
      this.live().write(payload.data);
    });
  }

  /** Ctrl-C, as if typed. */
  interrupt(): Promise<void> {
    return settle(() => this.live().write('\x03'));
  }

  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 1) {
      throw new RunnerError('bad_request', `Invalid terminal size ${cols}x${rows}.`);
    }
    const pty = this.live();
    if (pty.cols === cols && pty.rows === rows) return;
    pty.resize(cols, rows);
    this.batcher.enqueue({ type: 'terminal.resized', data: { cols, rows } });
  }

  async stop(): Promise<void> {
    if (!this.child || !this.exited) return;
    this.endFamily(this.child, 'SIGHUP');
    await this.ending;
    await this.exited;
  }

  private endFamily(child: ChildIdentity, firstSignal: NodeJS.Signals): void {
    this.ending ??= this.ctx.children
      .end(child, { graceMs: this.killAfterMs, firstSignal })
      .catch((err: unknown) => {
        this.ctx.log.warn('the shell’s processes could not all be ended', { err: String(err) });
      });
  }

  private live(): IPty {
    if (!this.pty || this.hasExited) {
      throw new RunnerError('session_not_running', 'The terminal process has ended.');
    }
    return this.pty;
  }

  /** Resolves once no output arrived for 50 ms (at most 1 s after the exit). */
  private async outputSettled(): Promise<void> {
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline && Date.now() - this.lastDataAt < 50) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async recordExit(exitCode: number, signal: number | undefined): Promise<void> {
    await this.batcher.flush();
    this.batcher.dispose();
    this.ctx.log.info('terminal exited', { exitCode, signal });
    try {
      await this.ctx.setStatus('exited', signal ? { exitCode, signal } : { exitCode });
    } catch (err) {
      this.ctx.log.warn('terminal exit could not be recorded', { err: String(err) });
    }
  }
}

/** Runs `fn` and reports its throw as a rejection, so callers see one failure path. */
function settle(fn: () => void): Promise<void> {
  try {
    fn();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
