/**
 * Answers a terminal emulator sends by itself when a program asks (device attributes, cursor
 * position, status, colours, focus). With several windows attached, every writer's xterm would
 * answer the same query and the shell would read the answer several times, so answers are not
 * forwarded unless they follow a key press in this window (where they are what the user typed,
 * e.g. a modified function key that happens to look like a cursor report).
 */
const REPORT =
  /^(?:\x1b\[[?>=]?[\d;]*[cRn]|\x1b\[[IO]|\x1b\][\d;]*(?:rgb:[^\x07\x1b]*)?(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\)$/;

/** Whether `data` from xterm's onData is an automatic answer to a program's query. */
export function isTerminalReport(data: string): boolean {
  return REPORT.test(data);
}
