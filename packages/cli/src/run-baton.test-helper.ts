import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `baton` command with `env` added to this process's environment (a variable set
 * to undefined is removed); fails if it has not exited within `timeoutMs`.
 */
export function runBaton(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<Run> {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: merged });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton ${args.join(' ')} did not exit: ${stdout} ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Variables from the developer's shell that would change what baton resolves. */
export const CLEAN_ENV: Record<string, undefined> = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('BATON_'))
    .map((k) => [k, undefined]),
);

/** A `baton serve` child on a free port, and what it printed: its URL and owner token. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  ownerToken: string;
  /** SIGTERM, then waits for the exit: the server writes its last files while it shuts down. */
  stop(): Promise<void>;
}

/** Starts `baton serve --port 0` on `dataDir` with `env` as this process's environment plus it. */
export async function startServe(
  dataDir: string,
  env: Record<string, string | undefined>,
): Promise<ServeProcess> {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn'],
    { env: merged },
  );
  const { url, ownerToken } = await new Promise<{ url: string; ownerToken: string }>(
    (resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving at (http:\/\/[^/]+)\/#token=(\S+)/.exec(out);
        if (m) resolve({ url: m[1]!, ownerToken: m[2]! });
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    },
  );
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  return { child, url, ownerToken, stop };
}
