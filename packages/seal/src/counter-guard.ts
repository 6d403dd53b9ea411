import { authorOfLaneKey, laneKey } from './counter-lanes.js';
import { SealError } from './seal-error.js';

/**
 * The highest counter accepted from each author's lane in each session (counter-lanes.ts: a
 * device's windows seal in lanes of their own; counters below 2⁵⁰ are one lane per author). A
 * counter must grow in its lane with every envelope, so an envelope whose counter is not above
 * the last one accepted in its lane is an old one replayed (or one moved back in the order) and
 * is refused. Gaps are allowed: an input that expired offline was sealed but never sent.
 *
 * A verifier that reads a session's log from its start sees every lane grow; one that starts
 * mid-log (after a snapshot) seeds the guard with `restore` from the snapshot's recorded
 * counters.
 */
export class CounterGuard {
  /** Per session: lane key (`laneKey`) → the highest counter accepted in that lane. */
  readonly #sessions = new Map<string, Map<string, number>>();

  /** The highest counter accepted from `author` in `sessionId`, over all its lanes (0: none). */
  highest(sessionId: string, author: string): number {
    let highest = 0;
    for (const [key, counter] of this.#sessions.get(sessionId) ?? []) {
      if (authorOfLaneKey(key, counter) === author && counter > highest) highest = counter;
    }
    return highest;
  }

  /** Throws `replayed` if `counter` does not grow in its lane; changes nothing. */
  check(sessionId: string, author: string, counter: number): void {
    const last = this.#sessions.get(sessionId)?.get(laneKey(author, counter)) ?? 0;
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
    let lanes = this.#sessions.get(sessionId);
    if (!lanes) this.#sessions.set(sessionId, (lanes = new Map()));
    lanes.set(laneKey(author, counter), counter);
  }

  /**
   * Every lane's highest counter in `sessionId`, keyed by `laneKey`: what a host saves and a
   * sealed snapshot's body records, and what `restore` takes back.
   */
  entries(sessionId: string): Record<string, number> {
    return Object.fromEntries(this.#sessions.get(sessionId) ?? []);
  }

  /** Raises each recorded lane to its counter (never lowers one); skips what is not a counter. */
  restore(sessionId: string, entries: Readonly<Record<string, number>>): void {
    for (const [key, counter] of Object.entries(entries)) {
      if (!Number.isSafeInteger(counter) || counter < 1) continue;
      const author = authorOfLaneKey(key, counter);
      const last = this.#sessions.get(sessionId)?.get(laneKey(author, counter)) ?? 0;
      if (counter > last) this.accept(sessionId, author, counter);
    }
  }

  /**
   * The cut-offs for revoking `author` now: its highest accepted counter in every session, over
   * all its lanes (a laned counter follows the clock, so the cut-off is about the time of the
   * revocation in every lane).
   */
  cutoffsFor(author: string): Record<string, number> {
    const cutoffs: Record<string, number> = {};
    for (const sessionId of this.#sessions.keys()) {
      const highest = this.highest(sessionId, author);
      if (highest > 0) cutoffs[sessionId] = highest;
    }
    return cutoffs;
  }
}
