import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ProcessExit } from './agent-driver.js';

const STDERR_KEEP_BYTES = 4096;

/** How to launch an agent process. */
export interface LaunchSpec {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A child process that speaks newline-delimited JSON on stdin/stdout. Each stdout line is parsed
 * and handed to `onMessage` as soon as it arrives (no batching: this is the streaming path).
 * Lines that are not JSON are reported to `onNoise` (agents sometimes print warnings there).
 */
export class JsonLinesProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrTail = '';
  private exitInfo: ProcessExit | undefined;
  private readonly exitWaiters: Array<(exit: ProcessExit) => void> = [];

  constructor(
    spec: LaunchSpec,
    private readonly handlers: {
      onMessage: (message: unknown) => void;
      onNoise: (line: string) => void;
      onExit: (exit: ProcessExit) => void;
    },
  ) {
    this.child = spawn(spec.binary, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.on('error', () => {
      // EPIPE after the process died; the exit handler reports the death.
    });
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim() === '') return;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        handlers.onNoise(line);
        return;
      }
      handlers.onMessage(message);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP_BYTES);
    });
    this.child.on('error', (err) => {
      // Spawn failures (ENOENT, EACCES) never produce an 'exit' event.
      if (this.child.pid === undefined)
        this.finish({ code: null, signal: null, stderr: err.message });
    });
    this.child.on('close', (code, signal) => {
      this.finish({ code, signal, stderr: this.stderrTail.trim() });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Writes one JSON message as a line. Returns false when the process is gone. */
  send(message: unknown): boolean {
    if (this.exitInfo || !this.child.stdin.writable) return false;
    this.child.stdin.write(JSON.stringify(message) + '\n');
    return true;
  }

  /** Resolves when the process has exited (at once if it already has). */
  waitForExit(): Promise<ProcessExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Closes stdin, sends SIGTERM, and SIGKILL after `graceMs`. Resolves once it exited. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.exitInfo) return this.exitInfo;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.waitForExit();
    } finally {
      clearTimeout(timer);
    }
  }

  private finish(exit: ProcessExit): void {
    if (this.exitInfo) return;
    this.exitInfo = exit;
    this.handlers.onExit(exit);
    for (const w of this.exitWaiters.splice(0)) w(exit);
  }
}

/** A one-line summary of how a process ended, for session status reasons and turn errors. */
export function describeExit(name: string, exit: ProcessExit): string {
  const how =
    exit.signal !== null
      ? `was killed by ${exit.signal}`
      : exit.code !== null
        ? `exited with code ${exit.code}`
        : 'could not be started';
  // Skip stack backtraces: the line that says what went wrong comes before them.
  const lastLines = exit.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(\d+:|at |Stack backtrace:)/.test(l))
    .slice(-3)
    .join(' | ');
  return lastLines ? `${name} ${how}: ${lastLines}` : `${name} ${how}`;
}
