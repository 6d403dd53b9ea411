import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  port: number;
  ownerToken: string;
  /** kill -9: no shutdown code runs. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a server in its own process (for crash tests: `kill -9` and restart on the same data
 * directory and port). Resolves once it prints its URL.
 */
export async function spawnServerProcess(
  dataDir: string,
  port = 0,
  extraArgs: string[] = [],
): Promise<ServerProcess> {
  const main = fileURLToPath(new URL('./server-process-main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [main, '--data', dataDir, '--port', String(port), ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // BATON_TEST_SERVER_LOGS=1 shows the server's own log (with BATON_LOG for its level).
  if (process.env['BATON_TEST_SERVER_LOGS'] === '1') child.stderr.pipe(process.stderr);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within 15 s: ${err}`)),
      15_000,
    );
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+) (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  const m = /listening (\S+) (\S+)/.exec(line)!;
  const url = m[1]!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/v1/ws',
    port: Number(new URL(url).port),
    ownerToken: m[2]!,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
