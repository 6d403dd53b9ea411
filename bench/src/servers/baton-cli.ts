import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The real `baton` command (`packages/cli/dist/main.js`) as its own processes, started as a person
 * starts it: `baton serve`, `baton relay`, `baton pair` and `baton host`. Used where the thing
 * measured is the whole path a user runs (the relay scenario), not the server library alone.
 */

const run = promisify(execFile);

/** This checkout's CLI, or the one of another checkout (`--baseline DIR`). */
export function batonCliPath(checkout?: string): string {
  const path = checkout
    ? resolve(checkout, 'packages/cli/dist/main.js')
    : fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: build the CLI first (npx tsc -b packages/cli)`);
  }
  return path;
}

/** A running `baton serve` or `baton relay`. */
export interface CliServer {
  /** HTTP base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The devices' WebSocket URL (`/v1/ws`). */
  readonly wsUrl: string;
  readonly ownerToken: string;
  /** A pairing code (`baton pair --role ROLE`): an owner's for a host, an editor's for a device. */
  pairingCode(role: 'owner' | 'editor'): Promise<string>;
  stop(): Promise<void>;
}

/** A running `baton host --relay URL`. */
export interface CliHost {
  readonly name: string;
  /**
   * A link that pairs one device with this host by its keys (`baton host pair`, run on the
   * host's data directory, as a person runs it on the host's machine).
   */
  pairLink(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The environment of every process started here: the benchmark's own, without the variables
 * that point a CLI at some other server, so a direct server and a relay's host get the same one.
 */
function cleanEnv(batonHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: batonHome };
  delete env['BATON_TOKEN'];
  delete env['BATON_URL'];
  return env;
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
function lineOf(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    lines.on('line', (l) => {
      const m = pattern.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before it started: ${stderr.trim()}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s. */
async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts `baton serve` or `baton relay` on port 0 with a fresh data directory and home. */
export async function startCliServer(cli: string, command: 'serve' | 'relay'): Promise<CliServer> {
  const dir = mkdtempSync(join(tmpdir(), `baton-bench-${command}-`));
  const home = join(dir, 'home');
  const env = cleanEnv(home);
  const child = spawn(
    process.execPath,
    [cli, command, '--port', '0', '--data', join(dir, 'data'), '--log-level', 'warn'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const m = await lineOf(
      child,
      /^baton is serving at (http:\/\/[^/]+)\/#token=(\S+)/,
      `baton ${command}`,
      60_000,
    );
    const url = m[1]!;
    return {
      url,
      wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
      ownerToken: m[2]!,
      pairingCode: async (role) => {
        const { stdout } = await run(process.execPath, [cli, 'pair', '--role', role, '--json'], {
          env,
          timeout: 60_000,
        });
        return (JSON.parse(stdout) as { code: string }).code;
      },
      stop: async () => {
        await end(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await end(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Starts `baton host --relay URL --code CODE --name NAME` with a fresh data directory; resolves
 * once the relay welcomed it. `plaintext` adds `--plaintext`: a host that seals nothing.
 */
export async function startCliHost(
  cli: string,
  relay: CliServer,
  name: string,
  options: { plaintext?: boolean } = {},
): Promise<CliHost> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-host-'));
  const dataDir = join(dir, 'data');
  const code = await relay.pairingCode('owner');
  const env = cleanEnv(join(dir, 'home'));
  const child = spawn(
    process.execPath,
    [
      cli,
      'host',
      ...(options.plaintext ? ['--plaintext'] : []),
      '--log-level',
      'warn',
      '--relay',
      relay.url,
      '--code',
      code,
      '--name',
      name,
      '--data',
      dataDir,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await lineOf(child, /^host .* is online at /, 'baton host', 60_000);
    return {
      name,
      pairLink: async () => {
        const { stdout } = await run(
          process.execPath,
          [cli, 'host', 'pair', '--relay', relay.url, '--data', dataDir],
          { env, timeout: 60_000 },
        );
        const link = /^https?:\/\/\S+#\S+$/m.exec(stdout)?.[0];
        if (!link) throw new Error(`baton host pair printed no link: ${stdout.slice(0, 500)}`);
        return link;
      },
      stop: async () => {
        await end(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await end(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
