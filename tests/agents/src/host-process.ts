import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BATON_CLI } from './agent-env.js';
import { endProcess } from './end-process.js';

/**
 * `baton host --relay URL` as its own process, exactly as a person starts it on a machine (so a
 * test can kill it with SIGKILL mid-stream). `onlineCount` counts the relay's welcomes.
 */
export class HostProcess {
  onlineCount = 0;
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (/^host .* is online at /.test(l)) {
        this.onlineCount++;
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  /**
   * Starts a host on `dataDir` for the relay at `relayUrl`; with `code`, it pairs first. Resolves
   * once the relay welcomed it.
   */
  static async start(
    relayUrl: string,
    dataDir: string,
    options: { code?: string; name?: string; env?: Record<string, string> } = {},
  ): Promise<HostProcess> {
    // --plaintext: these devices speak the protocol by hand and read stored bodies to check
    // routing, order and durability through the relay; sealed sessions are proven by
    // relay-sealed, sealed-sessions and the browser's sealed-three-devices tests.
    const args = ['host', '--relay', relayUrl, '--data', dataDir, '--log-level', 'warn'];
    args.push('--plaintext');
    if (options.code) args.push('--code', options.code);
    if (options.name) args.push('--name', options.name);
    const child = spawn(process.execPath, [BATON_CLI, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const host = new HostProcess(child);
    await host.online(1);
    return host;
  }

  /** Resolves once the relay has welcomed this host `count` times in all. */
  online(count: number, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.onlineCount >= count) {
          clearTimeout(timer);
          resolve();
          return true;
        }
        return false;
      };
      const timer = setTimeout(
        () =>
          reject(new Error(`the host was not welcomed ${count} time(s) within ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
      if (check()) return;
      const wait = () => {
        if (!check()) this.waiters.push(wait);
      };
      this.waiters.push(wait);
      this.child.once('exit', (code) => reject(new Error(`baton host exited with ${code}`)));
    });
  }

  async kill9(): Promise<void> {
    await endProcess(this.child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await endProcess(this.child, 'SIGTERM');
  }
}
