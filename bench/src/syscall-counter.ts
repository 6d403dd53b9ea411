import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `strace -c -f` attached to a server process: counts its system calls (every thread, so SQLite's
 * and libuv's too) until `detach`, and writes strace's summary table to a file. strace slows the
 * traced process a lot, so runs with it are for finding where time goes, never for figures.
 */
export class SyscallCounter {
  private constructor(
    private readonly child: ChildProcess,
    readonly file: string,
  ) {}

  static async attach(pid: number, dir: string, name: string): Promise<SyscallCounter> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.strace.txt`);
    const child = spawn('strace', ['-c', '-f', '-o', file, '-p', String(pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // strace says "Process N attached" on stderr once it traces; before that nothing is counted.
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (/attached/.test(err)) resolve();
      });
      child.once('error', (e) => reject(new Error(`strace could not start: ${e.message}`)));
      child.once('exit', (code) => reject(new Error(`strace exited (${code}): ${err.trim()}`)));
    });
    return new SyscallCounter(child, file);
  }

  /** Stops counting and returns strace's summary table. */
  async detach(): Promise<string> {
    if (this.child.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGINT');
      await exited;
    }
    try {
      return readFileSync(this.file, 'utf8');
    } catch {
      return '';
    }
  }
}
