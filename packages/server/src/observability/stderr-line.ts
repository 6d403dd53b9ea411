/**
 * Writes one log line to standard error, and stops writing once standard error has failed.
 *
 * When the reading end of stderr goes away (`baton serve 2>&1 | head`, a closed terminal, a
 * supervisor that stopped reading), every write fails with EPIPE. Without a listener each failure
 * is an uncaught exception; the process guard logs it, that write fails too, and the server spins
 * on its own error. A long-running server must outlive its log reader, so the first failure turns
 * logging into a no-op for the rest of the process's life: nothing can be written there anyway.
 *
 * On Linux, writes to stderr as a file, pipe or terminal are synchronous, so the last line before
 * a crash is still written (pino's synchronous destination gave the JSON format the same).
 */
let state: 'unwatched' | 'open' | 'closed' = 'unwatched';

export function writeStderrLine(line: string): void {
  if (state === 'unwatched') {
    state = 'open';
    process.stderr.on('error', () => {
      state = 'closed';
    });
  }
  if (state === 'open') process.stderr.write(line + '\n');
}
