import type { ProjectionFactory } from '../projection.js';
import { DEFAULT_SCROLLBACK, HeadlessScreen } from './headless-screen.js';
import { ScreenWorkerPool } from './screen-worker-pool.js';
import { TerminalProjection } from './terminal-projection.js';

export { TerminalProjection } from './terminal-projection.js';
export { HeadlessScreen, DEFAULT_SCROLLBACK, type ScreenState } from './headless-screen.js';
export { ScreenWorkerPool, type ScreenWorkerPoolOptions } from './screen-worker-pool.js';
export type { Screen } from './screen.js';

export interface TerminalProjectionOptions {
  /** Lines of scrollback kept (and sent to late joiners). Default 5000. */
  scrollback?: number;
  /**
   * Where screens live. Default: a shared pool of worker threads, so parsing output and
   * serializing large scrollback never block the server's event loop. `'in-process'` keeps them
   * on the calling thread (for tools and tests that handle one terminal).
   */
  host?: ScreenWorkerPool | 'in-process';
}

/** A projection factory for terminal sessions with the given options. */
export function createTerminalProjectionFactory(
  options: TerminalProjectionOptions = {},
): ProjectionFactory {
  const scrollback = options.scrollback ?? DEFAULT_SCROLLBACK;
  const host = options.host;
  let pool: ScreenWorkerPool | undefined;
  return {
    kinds: ['terminal'],
    create: ({ cols, rows }) => {
      if (host === 'in-process') {
        return new TerminalProjection(new HeadlessScreen(cols, rows, scrollback));
      }
      pool ??= host ?? sharedPool();
      return new TerminalProjection(pool.open(cols, rows, scrollback));
    },
  };
}

let shared: ScreenWorkerPool | undefined;

/**
 * The process-wide screen worker pool, started on first use. Its idle workers never hold the
 * process open.
 */
export function sharedPool(): ScreenWorkerPool {
  shared ??= new ScreenWorkerPool();
  return shared;
}

/** Terminal screens with 5000 lines of scrollback, kept on the shared worker pool. */
export const terminalProjectionFactory: ProjectionFactory = createTerminalProjectionFactory();
