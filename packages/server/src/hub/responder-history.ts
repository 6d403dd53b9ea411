/** How many changes of responder are remembered; an answer to output older than these is late. */
const KEPT = 64;

/**
 * Which window was a terminal session's responder when each output was committed, so that a
 * report is typed only from the window that was the responder when the program asked.
 *
 * Filtering by the responder of the moment the report arrives is not enough: every window's
 * emulator answers, and one that draws the output late (a busy or throttled page) can answer
 * after the responder changed to it, e.g. after its user started typing. The answer of the
 * responder of the query's time has been typed by then, and the late one would be typed too.
 * A report that names its query's output (`querySeq`) is checked against this history instead.
 *
 * Entries are (first seq, responder) and are added only when the responder differs from the
 * newest one, so the history spans far more than `KEPT` outputs unless the responder keeps
 * changing. Seqs only grow: the session commits output in seq order.
 */
export class ResponderHistory {
  /** Oldest first. */
  private readonly entries: { fromSeq: number; responder: string | undefined }[] = [];

  /** Output from `seq` on was committed while `responder` was the responder. */
  note(seq: number, responder: string | undefined): void {
    const newest = this.entries[this.entries.length - 1];
    if (newest !== undefined && newest.responder === responder) return;
    this.entries.push({ fromSeq: seq, responder });
    if (this.entries.length > KEPT) this.entries.shift();
  }

  /**
   * The responder when output `seq` was committed (`responder` undefined: no window could answer
   * then); undefined when that is older than what is kept. A seq beyond the newest output noted
   * is answered with the newest responder: the caller checks that `seq` is committed at all.
   */
  at(seq: number): { responder: string | undefined } | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i]!.fromSeq <= seq) return this.entries[i];
    return undefined;
  }
}
