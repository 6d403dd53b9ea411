import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparedWith, protocolOf, type SystemName } from './drivers/connection.js';
import { pinToCpu } from './cpu-placement.js';
import { IpcChild } from './ipc.js';
import type { ServerStats } from './servers/server-stats.js';
import { tempPgSchema } from '@baton/server/testing';

/** The PostgreSQL that `baton-pg` runs on. */
const BENCH_PG_URL = process.env['BATON_BENCH_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What a server process reports once it listens. */
export interface ServerInfo {
  /** Where clients connect (WebSocket URL for baton and ws, HTTP URL for Socket.IO). */
  url: string;
  port: number;
  /** Baton only: HTTP base URL and owner token, for registering devices and creating sessions. */
  httpUrl?: string;
  ownerToken?: string;
}

/** A server under test, running in its own process. */
export interface ServerProcess {
  readonly system: SystemName;
  readonly info: ServerInfo;
  readonly pid: number;
  resetStats(): Promise<void>;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Write a V8 CPU profile of the server process into this directory when it exits. */
  cpuProfileDir?: string;
  /**
   * A checkout of another baton version with its bench built (`npx tsc -b bench` there): the
   * baseline systems run its server program, so a change is measured against it in one run.
   */
  baselineDir?: string;
  /**
   * Move the server, every thread of it, onto CPU 1 (`--pin`; the bench itself and the load
   * generators it forks are on CPU 0 by then). Threads the server starts later inherit it.
   */
  pinServer?: boolean;
}

/** Starts the server of `system` in a child process and waits until it listens. */
export async function startServerProcess(
  system: SystemName,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const program = `./servers/${protocolOf(system)}-server.js`;
  const isBaseline = comparedWith(system) !== system;
  // baton-pg: a schema of its own for this server, dropped when it stops.
  const pg = system === 'baton-pg' ? await tempPgSchema('baton_bench', BENCH_PG_URL) : undefined;
  // ws-stored: a database file of its own, removed when it stops.
  const storeDir =
    system === 'ws-stored' ? mkdtempSync(join(tmpdir(), 'baton-bench-stored-')) : undefined;
  if (isBaseline && !options.baselineDir) {
    throw new Error(`${system} needs --baseline DIR (a checkout with its bench built)`);
  }
  const entry =
    isBaseline && options.baselineDir
      ? resolve(options.baselineDir, 'bench/dist', program)
      : fileURLToPath(new URL(program, import.meta.url));
  const args: Record<SystemName, string[]> = {
    baton: ['--durability', 'normal'],
    'baton-full': ['--durability', 'full'],
    'baton-pg': ['--durability', 'normal', '--store', pg?.url ?? ''],
    'baton-base': ['--durability', 'normal'],
    'baton-full-base': ['--durability', 'full'],
    socketio: [],
    ws: [],
    'ws-stored': ['--store', join(storeDir ?? '', 'frames.db')],
    'ws-naive': ['--naive'],
  };
  const execArgv = ['--expose-gc'];
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = fork(entry, args[system], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (options.pinServer && child.pid !== undefined) pinToCpu(child.pid, 1);
  const ipc = new IpcChild(child);
  const info = await ipc.ready<ServerInfo>();
  return {
    system,
    info,
    pid: child.pid ?? 0,
    resetStats: async () => {
      await ipc.request('stats.reset');
    },
    stats: () => ipc.request<ServerStats>('stats'),
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.exitCode === null && child.signalCode === null) {
        await ipc.request('stop').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await pg?.drop();
      if (storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
