/**
 * The log line for data this browser holds but cannot use (a corrupt entry, a record of another
 * build or another program on the origin): it is skipped, the page goes on, and the browser's
 * console, the page's log, says what was skipped and where.
 */
export function logSkipped(where: string, what: string): void {
  // eslint-disable-next-line no-console -- the browser console is the page's log
  console.warn(`baton: skipped ${what} in ${where}`);
}
