import type { Logger } from './logger.js';

let installed: { log: Logger; uninstall(): void } | undefined;

/**
 * The last line of defence for a long-running `baton serve`: an exception thrown outside any
 * handler, or a promise rejected with nobody listening, is logged as an error with its stack and
 * origin, and the process keeps running, because ending it would end every shell and agent it
 * hosts. Every known path handles its own errors (and fails only its session or connection);
 * reaching this guard is a bug, which is why it logs at error level instead of staying quiet.
 *
 * Installed by the CLI's serve command, not by startServer: a library must not take over the
 * process-wide handlers of an embedding program or a test runner. Installing twice is a no-op;
 * the returned function removes the handlers.
 */
export function installProcessGuard(log: Logger): () => void {
  if (installed) return installed.uninstall;
  const onException = (err: Error, origin: string) => {
    log.error('uncaught exception; baton keeps running', {
      origin,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  };
  const onRejection = (reason: unknown) => {
    log.error('unhandled promise rejection; baton keeps running', {
      error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    });
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  const uninstall = () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
    installed = undefined;
  };
  installed = { log, uninstall };
  return uninstall;
}
