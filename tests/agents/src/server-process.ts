import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { BATON_CLI, tempDir } from './agent-env.js';
import { endProcess } from './end-process.js';

const run = promisify(execFile);

export interface ServerProcessOptions {
  /** Extra environment of the server, and so of the agents it starts. */
  env?: Record<string, string>;
  /** Extra `baton serve` arguments, e.g. `--retention 100`. */
  args?: string[];
  /** `BATON_HOME` of the server and of the CLI commands run with `cli()`; a fresh one by default. */
  batonHome?: string;
  /** `relay` starts `baton relay` instead of `baton serve`. */
  command?: 'serve' | 'relay';
  /** A fixed port (to restart on the same address); 0 by default. */
  port?: number;
}

/**
 * `baton serve` as its own process, exactly as a person starts it (so a test can kill it with
 * SIGKILL mid-conversation). It runs with its own `BATON_HOME`, so it never touches the real
 * `~/.baton`; `cli()` runs other `baton` commands that find this server through that home.
 */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly ownerToken: string,
    readonly batonHome: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(dataDir: string, options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const batonHome = options.batonHome ?? tempDir('baton-home');
    mkdirSync(batonHome, { recursive: true });
    const env = { ...process.env, ...options.env, BATON_HOME: batonHome } as Record<string, string>;
    delete env['BATON_TOKEN'];
    delete env['BATON_URL'];
    const args = [
      options.command ?? 'serve',
      '--port',
      String(options.port ?? 0),
      '--data',
      dataDir,
      '--log-level',
      'warn',
    ];
    const child = spawn(process.execPath, [BATON_CLI, ...args, ...(options.args ?? [])], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (l) => {
        if (l.startsWith('baton is serving at ')) resolve(l);
      });
      child.once('exit', (code) =>
        reject(new Error(`baton ${args[0]} exited with ${code} before serving`)),
      );
      setTimeout(() => reject(new Error('baton serve did not start within 30 s')), 30_000).unref();
    });
    const match = /serving at (http:\/\/[^/]+)\/#token=(\S+)/.exec(line);
    if (!match) throw new Error(`unexpected serve line: ${line}`);
    return new ServerProcess(child, match[1]!, match[2]!, batonHome, env);
  }

  /** The environment a `baton` command needs to find this server (its `BATON_HOME`). */
  cliEnv(): Record<string, string> {
    return { ...this.env, BATON_HOME: this.batonHome };
  }

  /** Runs `baton <args>` against this server and returns its stdout. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [BATON_CLI, ...args], {
      env: this.cliEnv(),
      timeout: 30_000,
    });
    return stdout;
  }

  /** SIGKILL: no clean shutdown, nothing flushed beyond what was committed. */
  async kill9(): Promise<void> {
    await endProcess(this.child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await endProcess(this.child, 'SIGTERM');
  }
}
