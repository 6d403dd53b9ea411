import { hasTerminalQuery, isFocusReport, splitTerminalReports } from '@baton/client';

/** How long after drawing a query an answer-shaped sequence on the input is taken as its answer. */
export const ANSWER_WINDOW_MS = 2_000;

/** What `baton attach` sends for a run of its user's input. */
export interface AttachInputPiece {
  data: string;
  /** An answer of the user's terminal: sent as a report, for the server to type or drop. */
  report?: { querySeq?: number };
}

/**
 * Tells the user's terminal's answers to a program's queries from the keys the user types, on
 * the one input stream a terminal gives `baton attach`.
 *
 * Every window attached to a terminal session answers every query it draws (the user's
 * terminal here, an emulator in each browser tab), and the server types only the answers of the
 * session's responder (docs/terminals.md, "Answers to terminal queries"). Sent as keys, this
 * terminal's answers would be typed beside the responder's, and the program would read each
 * query's answer twice. A terminal writes its answers on the same input as the keys, so what
 * marks one is its shape (`splitTerminalReports`) and its moment: it follows a query drawn
 * live. A key that reads like an answer (`CSI 1;5 R`, a modified F3) typed when no query was
 * drawn for `ANSWER_WINDOW_MS` is sent as keys. Focus reports answer no query and are always
 * reports: each window's terminal has a focus of its own.
 *
 * History is drawn with its queries taken out (`stripTerminalQueries`), so only live output
 * opens the window.
 */
export class TerminalAnswers {
  private querySeq: number | undefined;
  private dueUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Live output was written to the user's terminal. */
  drew(seq: number, output: string): void {
    if (!hasTerminalQuery(output)) return;
    this.querySeq = seq;
    this.dueUntil = this.now() + ANSWER_WINDOW_MS;
  }

  /** A fresh subscription redraws the screen: answers to what came before it answer nothing. */
  reset(): void {
    this.querySeq = undefined;
    this.dueUntil = 0;
  }

  /** The user's input, cut into keys and answers in the order it came. */
  classify(input: string): AttachInputPiece[] {
    const due = this.now() <= this.dueUntil;
    const out: AttachInputPiece[] = [];
    for (const piece of splitTerminalReports(input)) {
      if (piece.report && isFocusReport(piece.data)) out.push({ data: piece.data, report: {} });
      else if (piece.report && due) {
        const querySeq = this.querySeq;
        out.push({ data: piece.data, report: querySeq === undefined ? {} : { querySeq } });
      } else {
        const last = out.at(-1);
        // Keys stay one input where they came as one read.
        if (last && !last.report) last.data += piece.data;
        else out.push({ data: piece.data });
      }
    }
    return out;
  }
}
