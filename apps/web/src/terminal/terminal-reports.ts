/**
 * Answers a terminal emulator sends by itself when a program asks (device attributes, cursor
 * position, status, colours, focus). Every attached window's emulator answers every query it
 * draws, so these are sent marked as reports (`payload.report`), and the server types only the
 * answers of the session's one responder window (docs/terminals.md, "Answers to terminal
 * queries"), with the seq of the output event whose query they answer. Data that looks like a
 * report but comes from a key event in this window is what the user typed (e.g. a modified
 * function key that reads like a cursor report) and is sent as keys.
 */
const REPORT =
  /^(?:\x1b\[[?>=]?[\d;]*[cRn]|\x1b\[[IO]|\x1b\][\d;]*(?:rgb:[^\x07\x1b]*)?(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\)$/;

/** Whether `data` from xterm's onData is an automatic answer to a program's query. */
export function isTerminalReport(data: string): boolean {
  return REPORT.test(data);
}
