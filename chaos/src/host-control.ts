import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BATON_CLI } from './server-control.js';

/**
 * A real `baton host --relay URL` in its own process (docs/relay.md), which the checker can
 * `kill -9` and start again on the same data directory, as a crash and a supervisor's restart
 * would. The first start pairs with an owner code; later ones use the credential the host kept.
 * It seals every session (keys, identity and roster kept in its data directory across kills).
 */
export class HostControl {
  private child: ChildProcess | undefined;
  /** Times the host was started (welcomed by the relay at least once). */
  starts = 0;
  /** Exits nobody asked for (not `kill9` or `stop`), with the end of the host's stderr. */
  readonly crashes: string[] = [];
  private expectingExit = false;
  private starting: Promise<void> | undefined;

  constructor(
    readonly relayUrl: string,
    readonly dataDir: string,
    readonly name: string,
  ) {}

  /**
   * Starts the host; resolves once the relay welcomed it. `code` (an owner pairing code) is
   * needed at the first start only. A start while one is under way joins it; a start while the
   * host runs does nothing.
   */
  start(code?: string): Promise<void> {
    if (this.alive) return Promise.resolve();
    this.starting ??= this.spawnUntilOnline(code).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawnUntilOnline(code: string | undefined): Promise<void> {
    const args = [BATON_CLI, 'host', '--relay', this.relayUrl, '--data', this.dataDir];
    // Sealed, the product's default: the checker's devices pair with it by link and open every
    // body themselves (sealed-device.ts, sealed-log.ts).
    args.push('--name', this.name, '--log-level', 'warn');
    if (code !== undefined) args.push('--code', code);
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: join(this.dataDir, 'home') };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let errors = '';
    child.stderr?.on('data', (d) => (errors = (errors + String(d)).slice(-4000)));
    // The host reconnects with backoff by itself while the relay is down: wait for its welcome.
    const online = await new Promise<boolean>((resolve) => {
      let out = '';
      child.stdout?.on('data', (d) => {
        out = (out + String(d)).slice(-4000);
        if (/^host .* is online at /m.test(out)) resolve(true);
      });
      child.once('exit', () => resolve(false));
      setTimeout(() => resolve(false), 60_000).unref();
    });
    if (!online) {
      child.kill('SIGKILL');
      throw new Error(`baton host was not welcomed by the relay: ${errors.slice(-2000)}`);
    }
    this.child = child;
    this.starts++;
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.child !== child) return;
      const tail = errors.trim().split('\n').slice(-3).join(' | ');
      this.crashes.push(`exit ${code ?? signal ?? '?'}: ${tail}`);
    });
  }

  /** `kill -9`: no shutdown code runs; the host's PTYs lose their master and end. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.expectingExit = true;
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** A clean shutdown (SIGTERM), for the end of a run. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.expectingExit = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  get alive(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }
}
