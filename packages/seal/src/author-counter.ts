/**
 * An author's own counters, one per session: what the next envelope it seals there carries.
 * Readers refuse a counter that does not grow, so a counter handed out must never be handed out
 * again, even after a restart: the owner persists `toJSON()` before sending what it sealed, or
 * after a loss calls `resumeAbove` with its own highest counter found in the session's log.
 */
export class AuthorCounter {
  readonly #next = new Map<string, number>();

  constructor(saved: Readonly<Record<string, number>> = {}) {
    for (const [sessionId, last] of Object.entries(saved)) this.resumeAbove(sessionId, last);
  }

  /** The counter for the next envelope in `sessionId`: 1, 2, 3, … */
  next(sessionId: string): number {
    const value = (this.#next.get(sessionId) ?? 0) + 1;
    if (!Number.isSafeInteger(value)) throw new RangeError('the counter ran out of safe integers');
    this.#next.set(sessionId, value);
    return value;
  }

  /** Never hand out `last` or anything below it again in `sessionId`. */
  resumeAbove(sessionId: string, last: number): void {
    if (!Number.isSafeInteger(last) || last < 0) {
      throw new RangeError('a counter is a non-negative safe integer');
    }
    if (last > (this.#next.get(sessionId) ?? 0)) this.#next.set(sessionId, last);
  }

  /** The last counter handed out per session, to persist and pass back to the constructor. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#next);
  }
}
