import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'serve-agents.js');

/** A baton server in its own process (so it can be killed with SIGKILL mid-conversation). */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly ownerToken: string,
  ) {}

  static async start(dataDir: string): Promise<ServerProcess> {
    const child = spawn(process.execPath, [SERVE_SCRIPT, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (l) => {
        if (l.startsWith('baton is serving at ')) resolve(l);
      });
      child.once('exit', (code) =>
        reject(new Error(`the server exited with ${code} before serving`)),
      );
      setTimeout(() => reject(new Error('the server did not start within 30 s')), 30_000).unref();
    });
    const match = /serving at (http:\/\/[^/]+)\/#token=(\S+)/.exec(line);
    if (!match) throw new Error(`unexpected serve line: ${line}`);
    return new ServerProcess(child, match[1]!, match[2]!);
  }

  /** SIGKILL: no clean shutdown, nothing flushed beyond what was committed. */
  async kill9(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
