import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_MAIN, WEB_DIST } from './paths.js';

/**
 * A real `baton serve` in its own process, as a person runs it: port 0 the first time, then the
 * same port and data directory on `restart()` (so browsers reconnect to the same address).
 */
export class BatonProcess {
  #child: ChildProcess | undefined;
  #output = '';
  url = '';
  ownerToken = '';
  port = 0;

  /** With --tls: the certificate fingerprint `baton serve` printed. */
  fingerprint = '';

  private constructor(
    readonly dataDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly args: readonly string[],
    private readonly command: 'serve' | 'relay',
  ) {}

  /**
   * Starts `baton serve --port 0 --data dataDir` (plus `args`, e.g. `--tls --host ADDR`) and
   * waits for the URL it prints.
   */
  static async start(
    dataDir: string,
    env: NodeJS.ProcessEnv = {},
    args: readonly string[] = [],
    /** `relay` runs `baton relay` (sessions on hosts, docs/relay.md) instead of `baton serve`. */
    command: 'serve' | 'relay' = 'serve',
  ): Promise<BatonProcess> {
    if (!existsSync(CLI_MAIN)) {
      throw new Error(`${CLI_MAIN} is missing: build the CLI first (npx tsc -b packages/cli)`);
    }
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      throw new Error(
        `${WEB_DIST}/index.html is missing: build the web app first (npm run build:web)`,
      );
    }
    const baton = new BatonProcess(dataDir, env, args, command);
    await baton.#spawn(0);
    return baton;
  }

  /** The URL `baton serve` printed, with the owner token in the fragment. */
  get signInUrl(): string {
    return `${this.url}/#token=${this.ownerToken}`;
  }

  /** Everything the process printed so far (for failure messages). */
  get output(): string {
    return this.#output;
  }

  /** Kills the server at once (SIGKILL): no goodbye to any client. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.#child = undefined;
  }

  /** Starts the server again on the same port with the same data directory. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn(this.port);
  }

  /** Stops the server and removes its data directory. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.#child = undefined;
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async #spawn(port: number): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        this.command,
        '--port',
        String(port),
        '--data',
        this.dataDir,
        '--log-level',
        'warn',
        ...this.args,
      ],
      { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    const printed = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`baton serve printed no URL within 30 s:\n${this.#output}`)),
        30_000,
      );
      const onData = (chunk: Buffer): void => {
        this.#output += chunk.toString();
        // Off loopback baton prints no token: the owner token is then read from the data dir.
        const match = /baton is serving at (https?:\/\/[^\s/]+?)(?:\/#token=(\S+))?\n/.exec(
          this.#output,
        );
        // With --tls the fingerprint is printed on a line of its own after the URL.
        const tls = this.args.includes('--tls') || this.args.includes('--tls-cert');
        const fingerprint = /fingerprint: ([0-9A-F:]+)\n/.exec(this.#output)?.[1];
        if (match?.[1] && (!tls || fingerprint)) {
          this.fingerprint = fingerprint ?? '';
          clearTimeout(timer);
          const token = match[2] ?? readFileSync(join(this.dataDir, 'owner-token'), 'utf8').trim();
          resolve(`${match[1]} ${token}`);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        this.#output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`baton serve exited with ${code}:\n${this.#output}`));
      });
    });
    const [url, token] = (await printed).split(' ') as [string, string];
    this.#output = '';
    this.url = url;
    this.ownerToken = token;
    this.port = Number(new URL(url).port);
  }
}
