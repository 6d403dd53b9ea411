import { SealError } from './seal-error.js';

/**
 * The highest counter accepted from each author in each session. An author's counter must grow
 * with every envelope it seals in a session, so an envelope whose counter is not above the last
 * one accepted from that author is an old one replayed (or one moved back in the order) and is
 * refused. Gaps are allowed: an input that expired offline was sealed but never sent.
 *
 * A verifier that reads a session's log from its start sees every author's counters grow; one
 * that starts mid-log (after a snapshot) seeds the guard with `accept` from the snapshot's
 * recorded counters.
 */
export class CounterGuard {
  readonly #sessions = new Map<string, Map<string, number>>();

  highest(sessionId: string, author: string): number {
    return this.#sessions.get(sessionId)?.get(author) ?? 0;
  }

  /** Throws `replayed` if `counter` does not grow; changes nothing. */
  check(sessionId: string, author: string, counter: number): void {
    const last = this.highest(sessionId, author);
    if (counter <= last) {
      throw new SealError(
        'replayed',
        `counter ${counter} of ${author} in ${sessionId} is not above ${last}: an old envelope replayed or reordered`,
      );
    }
  }

  /** Records an envelope that was verified and opened. */
  accept(sessionId: string, author: string, counter: number): void {
    this.check(sessionId, author, counter);
    let authors = this.#sessions.get(sessionId);
    if (!authors) this.#sessions.set(sessionId, (authors = new Map()));
    authors.set(author, counter);
  }

  /** Every author's highest counter in `sessionId`: a revocation's cut-offs come from here. */
  authorsIn(sessionId: string): ReadonlyMap<string, number> {
    return new Map(this.#sessions.get(sessionId));
  }

  /** The cut-offs for revoking `author` now: its highest accepted counter in every session. */
  cutoffsFor(author: string): Record<string, number> {
    const cutoffs: Record<string, number> = {};
    for (const [sessionId, authors] of this.#sessions) {
      const highest = authors.get(author);
      if (highest !== undefined) cutoffs[sessionId] = highest;
    }
    return cutoffs;
  }
}
