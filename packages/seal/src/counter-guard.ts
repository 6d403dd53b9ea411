import { counterLane } from './counter-lanes.js';
import { SealError } from './seal-error.js';

/**
 * Lanes remembered per author per session. Every window that seals draws a lane, so without a
 * bound a phone reloading the app for months would fill all 1,024 (and a host saves its guard
 * at every input). Past the bound the lane whose last counter is oldest is dropped and its
 * counter becomes the author's floor: a lane not remembered must seal above it. Laned counters
 * follow the clock, so a window that seals again after its lane was dropped is above the floor;
 * only an envelope it sealed long ago and sends only now (after 32 newer windows of the same
 * device sealed in the session) is refused.
 */
export const LANES_KEPT = 32;

/** One author's sequences in one session. */
interface AuthorLanes {
  /** The highest unlaned counter accepted (counters below 2⁵⁰: one sequence). */
  unlaned: number;
  /** Lane → the highest counter accepted in it. */
  readonly lanes: Map<number, number>;
  /** Laned counters at or below this are refused in every lane not in `lanes`. */
  floor: number;
}

/**
 * The highest counter accepted from each author's lane in each session (counter-lanes.ts: a
 * device's windows seal in lanes of their own; counters below 2⁵⁰ are one sequence per author).
 * A counter must grow in its lane with every envelope, so an envelope whose counter is not above
 * the last one accepted in its lane is an old one replayed (or one moved back in the order) and
 * is refused. Gaps are allowed: an input that expired offline was sealed but never sent.
 *
 * A verifier that reads a session's log from its start sees every lane grow; one that starts
 * mid-log (after a snapshot) seeds the guard with `restore` from the snapshot's recorded
 * counters (`entries`).
 */
export class CounterGuard {
  /** Session → author → its lanes. */
  readonly #sessions = new Map<string, Map<string, AuthorLanes>>();

  /** The highest counter accepted from `author` in `sessionId`, over all its lanes (0: none). */
  highest(sessionId: string, author: string): number {
    const a = this.#sessions.get(sessionId)?.get(author);
    if (!a) return 0;
    return Math.max(a.unlaned, a.floor, ...a.lanes.values());
  }

  /**
   * Throws `replayed` if `counter` does not grow in its lane, `malformed` for an author id with
   * a `#` (the saved form keys lanes `<author>#<lane>`, so such an id could pass for another
   * author's lane; no relay gives one); changes nothing.
   */
  check(sessionId: string, author: string, counter: number): void {
    if (author.includes('#'))
      throw new SealError('malformed', `the author id ${author} has a '#', which no device id has`);
    const last = lastOf(this.#sessions.get(sessionId)?.get(author), counter);
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
    this.#set(this.#lanesOf(sessionId, author), counter);
  }

  /**
   * Raises the sequence `counter` belongs to, if it is above what is recorded; never refuses.
   * For a record of what a log holds (a host's sealed snapshot), not for a check.
   */
  note(sessionId: string, author: string, counter: number): void {
    if (!Number.isSafeInteger(counter) || counter < 1 || author.includes('#')) return;
    const a = this.#lanesOf(sessionId, author);
    if (counter > lastOf(a, counter)) this.#set(a, counter);
  }

  #lanesOf(sessionId: string, author: string): AuthorLanes {
    let authors = this.#sessions.get(sessionId);
    if (!authors) this.#sessions.set(sessionId, (authors = new Map()));
    let a = authors.get(author);
    if (!a) authors.set(author, (a = { unlaned: 0, lanes: new Map(), floor: 0 }));
    return a;
  }

  #set(a: AuthorLanes, counter: number): void {
    const lane = counterLane(counter);
    if (lane === undefined) {
      a.unlaned = counter;
      return;
    }
    a.lanes.set(lane, counter);
    if (a.lanes.size > LANES_KEPT) {
      let oldest: [number, number] | undefined;
      for (const entry of a.lanes) if (!oldest || entry[1] < oldest[1]) oldest = entry;
      a.lanes.delete(oldest![0]);
      a.floor = Math.max(a.floor, oldest![1]);
    }
  }

  /**
   * Every sequence's highest counter in `sessionId`, to save and give back to `restore` (a
   * host's saved guard, a sealed snapshot's body): keyed by the author's id for its unlaned
   * counter, `<author>#<lane>` for a lane, `<author>#*` for its floor.
   */
  entries(sessionId: string): Record<string, number> {
    const entries: Record<string, number> = {};
    for (const [author, a] of this.#sessions.get(sessionId) ?? []) {
      if (a.unlaned > 0) entries[author] = a.unlaned;
      for (const [lane, counter] of a.lanes) entries[`${author}#${lane}`] = counter;
      if (a.floor > 0) entries[`${author}#*`] = a.floor;
    }
    return entries;
  }

  /**
   * Raises each recorded sequence to its counter (never lowers one); skips what is not a
   * counter. A laned counter under a key that names no lane is taken as a floor.
   */
  restore(sessionId: string, entries: Readonly<Record<string, number>>): void {
    for (const [key, counter] of Object.entries(entries)) {
      if (!Number.isSafeInteger(counter) || counter < 1) continue;
      const lane = counterLane(counter);
      const hash = key.lastIndexOf('#');
      const author = hash > 0 && /^(\d+|\*)$/.test(key.slice(hash + 1)) ? key.slice(0, hash) : key;
      if (author.includes('#')) continue;
      if (lane === undefined) {
        if (author === key) this.note(sessionId, author, counter);
      } else if (key === `${author}#${lane}`) this.note(sessionId, author, counter);
      // A laned counter under a key that names no lane, or another one, is taken as a floor.
      else this.#raiseFloor(this.#lanesOf(sessionId, author), counter);
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

  #raiseFloor(a: AuthorLanes, floor: number): void {
    a.floor = Math.max(a.floor, floor);
    // A remembered lane at or below the floor says nothing the floor does not.
    for (const [lane, counter] of a.lanes) if (counter <= a.floor) a.lanes.delete(lane);
  }
}

/** The counter `counter` must be above: its lane's last, the floor for a lane not kept. */
function lastOf(a: AuthorLanes | undefined, counter: number): number {
  if (!a) return 0;
  const lane = counterLane(counter);
  if (lane === undefined) return a.unlaned;
  return Math.max(a.lanes.get(lane) ?? 0, a.floor);
}
