import { nextLanedCounter } from './counter-lanes.js';

/** How an author's counters are drawn: one sequence (1, 2, 3, …) or a lane of the clock. */
export interface AuthorCounterOptions {
  /**
   * The lane this window or process seals in (counter-lanes.ts): given, counters follow the
   * clock in that lane, so several windows of one device can seal at once. Absent, counters
   * are 1, 2, 3, …: for an author that seals from one place only (a host's own events).
   */
  readonly lane?: number;
  /** Milliseconds since 1970 (for tests); `Date.now` by default. */
  readonly now?: () => number;
}

/**
 * An author's own counters, one per session: what the next envelope it seals there carries.
 * Readers refuse a counter that does not grow in its lane, so a counter handed out must never be
 * handed out again, even after a restart: the owner persists `toJSON()` before sending what it
 * sealed, or after a loss calls `resumeAbove` with its own highest counter found in the
 * session's log. A restart may draw another lane: resuming above the highest counter of every
 * lane (what a store keeps) stays above this lane's too.
 */
export class AuthorCounter {
  readonly #next = new Map<string, number>();
  readonly #lane: number | undefined;
  readonly #now: () => number;

  constructor(saved: Readonly<Record<string, number>> = {}, options: AuthorCounterOptions = {}) {
    this.#lane = options.lane;
    this.#now = options.now ?? Date.now;
    for (const [sessionId, last] of Object.entries(saved)) this.resumeAbove(sessionId, last);
  }

  /** The counter for the next envelope in `sessionId`: above every one before it. */
  next(sessionId: string): number {
    const last = this.#next.get(sessionId) ?? 0;
    const value =
      this.#lane === undefined ? last + 1 : nextLanedCounter(last, this.#lane, this.#now());
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
