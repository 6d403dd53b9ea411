import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `baton` command, run as a person runs it (`baton relay`, `baton host`). */
export const BATON_CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/**
 * A baton server in its own process that the checker can `kill -9` and start again on the same
 * port and data directory, as a crash and a supervisor's restart would.
 */
export class ServerControl {
  private child: ChildProcess | undefined;
  /** The owner token (the same on every node of a many-node run). */
  token = `owner-${randomBytes(16).toString('hex')}`;
  /** Times the server was started. */
  starts = 0;
  /** Exits nobody asked for (not `kill9` or `stop`), with the end of the server's stderr. */
  readonly crashes: string[] = [];
  private expectingExit = false;
  /** Options passed to every start. */
  private extraArgs: string[] = [];
  /** `baton relay` (the real CLI) instead of the checker's server entry. */
  private relay = false;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /** Picks a free port once; every restart reuses it. */
  static async create(dataDir: string): Promise<ServerControl> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new ServerControl(port, dataDir);
  }

  /**
   * Server options for every later start: events kept per session, durability, and for many
   * nodes the shared PostgreSQL store with `--cluster` and its lease.
   */
  configure(options: {
    retentionEvents?: number;
    durability?: 'normal' | 'full';
    cluster?: { store: string; leaseMs: number };
    /**
     * Runs the real `baton relay` command (docs/relay.md) on the port and data directory, with
     * the owner token as `BATON_TOKEN`: every session runs on a `baton host` (HostControl).
     */
    relay?: boolean;
  }): void {
    this.extraArgs = [];
    this.relay = options.relay === true;
    if (options.cluster)
      this.extraArgs.push(
        '--store',
        options.cluster.store,
        '--cluster',
        '--lease-ms',
        String(options.cluster.leaseMs),
      );
    if (options.retentionEvents !== undefined)
      this.extraArgs.push('--retention', String(options.retentionEvents));
    if (options.durability !== undefined) this.extraArgs.push('--durability', options.durability);
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private starting: Promise<void> | undefined;

  /**
   * Starts the server; resolves once it prints its ready line. A start while one is under way
   * joins it, and a start while the server runs does nothing, so a fault loop and the crash
   * supervisor never race two servers onto one port.
   */
  start(): Promise<void> {
    if (this.alive) return Promise.resolve();
    this.starting ??= this.spawnUntilReady().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawnUntilReady(): Promise<void> {
    const { args, env } = this.relay ? this.relayCommand() : this.entryCommand();
    // A restart right after a kill may find the port still held for a moment.
    for (let attempt = 0; ; attempt++) {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let errors = '';
      child.stderr?.on('data', (d) => (errors += String(d)));
      const ready = await new Promise<boolean>((resolve) => {
        let out = '';
        child.stdout?.on('data', (d) => {
          out += String(d);
          if (out.includes('baton is serving at')) resolve(true);
        });
        child.once('exit', () => resolve(false));
      });
      if (ready) {
        this.child = child;
        this.starts++;
        this.expectingExit = false;
        // Keep draining stderr (its tail explains a crash) so the server never blocks on a pipe.
        child.stderr?.on('data', (d) => (errors = (errors + String(d)).slice(-4000)));
        child.once('exit', (code, signal) => {
          if (this.expectingExit || this.child !== child) return;
          const tail = errors.trim().split('\n');
          // The thrown error's own line says most; the stack's top says where.
          const error = tail.find((l) => /\b\w*Error\b/.test(l)) ?? tail.at(-1) ?? '';
          const at = tail.find((l) => /^\s+at /.test(l))?.trim() ?? '';
          this.crashes.push(`exit ${code ?? signal ?? '?'}: ${error.trim()} ${at}`);
        });
        return;
      }
      if (attempt >= 20) throw new Error(`the server did not start: ${errors.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private entryCommand(): { args: string[]; env: NodeJS.ProcessEnv } {
    const entry = fileURLToPath(new URL('./server-entry.js', import.meta.url));
    const args = [entry, '--port', String(this.port), '--data', this.dataDir];
    return { args: [...args, '--token', this.token, ...this.extraArgs], env: process.env };
  }

  /** `baton relay` with its own BATON_HOME, so it never reads or writes the real `~/.baton`. */
  private relayCommand(): { args: string[]; env: NodeJS.ProcessEnv } {
    const args = [BATON_CLI, 'relay', '--port', String(this.port), '--data', this.dataDir];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BATON_HOME: join(this.dataDir, 'home'),
      BATON_TOKEN: this.token,
    };
    delete env['BATON_URL'];
    return { args: [...args, '--log-level', 'warn', ...this.extraArgs], env };
  }

  /** `kill -9`: no shutdown code runs; whatever was not committed is gone. */
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

  /** Whether the server process is alive. */
  get alive(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${this.httpUrl}${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}
