import { createRequire } from 'node:module';
import type * as Server from '@baton/server';
import { CliError, ExitCode } from '../cli-error.js';

/** The server module, loaded only by `baton serve`. */
export type ServerModule = typeof Server;

/** The native modules only the server needs; an install for a machine that only connects may lack them. */
const NATIVE_MODULES = ['better-sqlite3', 'node-pty'] as const;

/**
 * Loads the server, and with it the native modules, for `baton serve` alone.
 *
 * Invariant: nothing else in the CLI imports `@baton/server` at run time (type-only imports are
 * erased; `@baton/server/files` is a module of its own, with no native module behind it), so the client commands (attach, tail, send, ls, …) start on a machine where
 * better-sqlite3 and node-pty are missing or did not build; the installable package lists them as
 * optionalDependencies. Each native module is opened here first, so a missing or broken one is one
 * clear line instead of a stack trace from deep inside the server.
 */
export async function loadServer(): Promise<ServerModule> {
  const require = createRequire(import.meta.url);
  for (const name of NATIVE_MODULES) {
    try {
      if (name === 'better-sqlite3') {
        const Database = require(name) as new (file: string) => { close(): void };
        new Database(':memory:').close();
      } else {
        require(name);
      }
    } catch (err) {
      throw new CliError(
        `baton serve needs the native module ${name}, which ${reason(err)} on Node ${process.version}.\n` +
          `  This install can still run the client commands (ls, new, attach, send, tail, …).\n` +
          `  To serve from it, install baton again without --omit=optional or --ignore-scripts,\n` +
          `  on a machine with python3, make and a C++ compiler to build ${name}.`,
        ExitCode.Failed,
      );
    }
  }
  return import('@baton/server');
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') return 'is not installed';
  const first = String(e.message ?? err)
    .split('\n')[0]!
    .slice(0, 200);
  return `could not be loaded (${first})`;
}
