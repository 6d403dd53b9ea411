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
    // Sealed, the product's default: devices pair with the host by link (pairLink) and open
    // every body with the SDK's sealing (Device with `sealing`).
    const args = ['host', '--relay', relayUrl, '--data', dataDir, '--log-level', 'warn'];
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

  /**
   * `baton host pair` on this host's data directory, as a person runs it on the host machine:
   * the link (relay code, host keys and one-time secret in its fragment) a device joins with.
   */
  static async pairLink(relayUrl: string, dataDir: string, role = 'owner'): Promise<string> {
    const args = ['host', 'pair', '--relay', relayUrl, '--data', dataDir, '--role', role];
    const child = spawn(process.execPath, [BATON_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errors = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const link = /^https?:\/\/\S+#\S+$/m.exec(out)?.[0];
    if (code !== 0 || link === undefined)
      throw new Error(`baton host pair failed (exit ${code}): ${errors || out}`);
    return link;
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
