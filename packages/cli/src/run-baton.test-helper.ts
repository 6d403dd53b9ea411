import { spawn } from 'node:child_process';
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
