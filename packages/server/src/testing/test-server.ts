import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../server.js';
import type { ServerOptions } from '../server-options.js';
import type { LogLevel } from '../logger.js';

/** A fresh temporary data directory, removed by the returned function. */
export function tempDataDir(prefix = 'baton-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A real server on a free port with its own SQLite file, quiet unless BATON_LOG is set.
 * `stop()` closes it and removes its data directory.
 */
export async function startTestServer(
  options: Partial<ServerOptions> = {},
): Promise<RunningServer & { stop(): Promise<void> }> {
  const data = options.dataDir ? undefined : tempDataDir();
  const server = await startServer({
    port: 0,
    logLevel: (process.env['BATON_LOG'] as LogLevel | undefined) ?? 'silent',
    ...options,
    dataDir: options.dataDir ?? data!.dir,
  });
  return Object.assign(server, {
    stop: async () => {
      await server.close();
      data?.remove();
    },
  });
}

/** A terminal whose shell neither echoes nor prints: inputs are logged without output noise. */
export const QUIET_TERMINAL = { shell: '/bin/sh', args: ['-c', 'stty -echo; exec sleep 100000'] };

/** A quiet, predictable interactive shell: no rc files, no history, a `$ ` prompt, 80x24. */
export const BASH_TERMINAL = {
  shell: '/bin/bash',
  args: ['--norc', '--noprofile', '-i'],
  env: { PS1: '$ ', HISTFILE: '/dev/null' },
  cols: 80,
  rows: 24,
};

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
