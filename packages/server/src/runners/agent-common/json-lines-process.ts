import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildTracker } from '../child-processes/child-registry.js';
import { CHILD_MARKER_VAR, type ChildIdentity } from '../child-processes/process-family.js';
import type { ProcessExit } from './agent-driver.js';

const STDERR_KEEP_BYTES = 4096;
/** After the agent itself exited, what it left running gets this long to end on SIGTERM. */
const ORPHAN_GRACE_MS = 1_000;

/** How to launch an agent process. */
export interface LaunchSpec {
  binary: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Records the process and ends it with everything it started. */
  children: ChildTracker;
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
  private readonly identity: ChildIdentity | undefined;
  /** Set once the process family is being ended; there is only ever one end. */
  private ending: Promise<void> | undefined;

  constructor(
    private readonly spec: LaunchSpec,
    private readonly handlers: {
      onMessage: (message: unknown) => void;
      onNoise: (line: string) => void;
      onExit: (exit: ProcessExit) => void;
    },
  ) {
    const marker = spec.children.newMarker();
    // detached: the agent leads its own session and process group, so it and everything it
    // starts (tool commands, dev servers) can be ended together, and a signal to the server's
    // group (Ctrl-C in the terminal that runs `baton serve`) does not reach it directly.
    this.child = spawn(spec.binary, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, [CHILD_MARKER_VAR]: marker },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.identity =
      this.child.pid === undefined ? undefined : spec.children.started(this.child.pid, marker);
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
    this.child.on('exit', () => {
      // The agent is gone; what it started in the background goes with it. Until then a
      // grandchild holding stdout open would also keep 'close' from ever firing.
      this.endFamily(ORPHAN_GRACE_MS);
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

  /**
   * Closes stdin, sends SIGTERM to the process and everything it started, and SIGKILL to what
   * is left after `graceMs`. Resolves once it exited.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.exitInfo) {
      await this.ending;
      return this.exitInfo;
    }
    this.child.stdin.end();
    this.endFamily(graceMs);
    await this.ending;
    return await this.waitForExit();
  }

  private endFamily(graceMs: number): void {
    if (!this.identity || this.ending) return;
    this.ending = this.spec.children.end(this.identity, { graceMs }).catch(() => {
      // endFamily only signals and polls; a failure here means the processes are gone.
    });
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
