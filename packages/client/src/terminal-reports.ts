/**
 * Answers a terminal emulator sends by itself when a program asks (device attributes, cursor
 * position, status, mode reports, window reports, colours, version and capability strings, the
 * kitty keyboard flags, focus). Every attached window's emulator answers every query it draws,
 * so these are sent marked as reports (`payload.report`), and the server types only the answers
 * of the session's one responder window (docs/terminals.md, "Answers to terminal queries"), with
 * the seq of the output event whose query they answer.
 *
 * The shapes alone cannot tell every answer from a key: a modified function key can read like a
 * cursor report (`CSI 1;5 R`). So each client adds what it knows of the moment: the web app's
 * emulator sends a key's data from inside the key event, and `baton attach` knows when it last
 * drew a query (`packages/cli/src/attach/terminal-answers.ts`).
 */
const SHAPES = [
  // DA1/DA2/DA3, cursor position (CPR and DECXCPR), device status.
  /\x1b\[[?>=]?[\d;]*[cRn]/.source,
  // Focus in and out (mode 1004).
  /\x1b\[[IO]/.source,
  // DECRPM, the answer to a mode query.
  /\x1b\[\??[\d;]*\$y/.source,
  // Window size and state reports.
  /\x1b\[[\d;]+t/.source,
  // The kitty keyboard protocol's flags.
  /\x1b\[\?\d*u/.source,
  // OSC colour answers, terminated by BEL or ST.
  /\x1b\][\d;]*(?:rgb:[^\x07\x1b]*)?(?:\x07|\x1b\\)/.source,
  // DCS answers: XTVERSION, DECRQSS, XTGETTCAP.
  /\x1bP[^\x1b]*\x1b\\/.source,
];

const WHOLE = new RegExp(`^(?:${SHAPES.join('|')})$`);
const ANYWHERE = new RegExp(SHAPES.join('|'), 'g');
const FOCUS = /^\x1b\[[IO]$/;

/** Whether `data` is, whole, shaped like an emulator's automatic answer to a program's query. */
export function isTerminalReport(data: string): boolean {
  return WHOLE.test(data);
}

/** Whether `data` is a focus report (mode 1004), which no query asks for. */
export function isFocusReport(data: string): boolean {
  return FOCUS.test(data);
}

/** A run of what a terminal sent on its input: keys, or one whole answer-shaped sequence. */
export interface TerminalInputPiece {
  data: string;
  /** Shaped like an answer: whether it is one, the caller decides. */
  report: boolean;
}

/**
 * Cuts what a terminal sent on its input into keys and answer-shaped sequences, in order. An
 * emulator writes each answer whole, but a read can hold it beside keys typed at the same time.
 */
export function splitTerminalReports(input: string): TerminalInputPiece[] {
  if (!input.includes('\x1b')) return [{ data: input, report: false }];
  const pieces: TerminalInputPiece[] = [];
  let at = 0;
  for (const m of input.matchAll(ANYWHERE)) {
    if (m.index > at) pieces.push({ data: input.slice(at, m.index), report: false });
    pieces.push({ data: m[0], report: true });
    at = m.index + m[0].length;
  }
  if (at < input.length) pieces.push({ data: input.slice(at), report: false });
  return pieces;
}
