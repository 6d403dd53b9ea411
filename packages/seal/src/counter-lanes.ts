/**
 * Counter lanes: how one device seals from several windows or processes at once.
 *
 * A device's windows (browser tabs, two `baton attach`) share its identity and so its author id,
 * but each keeps its own counter and its own connection: their inputs reach a reader
 * interleaved in an order none of them chose. A single growing counter per author cannot be
 * kept across them (a window that typed less would be refused as replaying until it passed the
 * others), so every counter at or above `LANED_COUNTER_FROM` belongs to a lane,
 * `counter mod COUNTER_LANES`, and each lane grows on its own: the replay check is per author
 * per lane. One window seals in one lane, so its envelopes still cannot be replayed or swapped
 * unnoticed; two windows in two lanes never refuse each other.
 *
 * A laned counter also follows the clock: `slot · COUNTER_LANES + lane` with `slot` the
 * milliseconds since 1970 (a burst faster than one a millisecond runs ahead of the clock and the
 * clock catches up). So a window that restarts in a lane another window once used, or two windows
 * that drew the same lane (one chance in 1,024 per pair), still seal in about the order they
 * type, and a reader refuses only what arrives after a later counter of the same lane.
 *
 * Counters below `LANED_COUNTER_FROM` (1, 2, 3, … as before lanes; the host's event counters)
 * form one lane per author, checked as they always were.
 */

/** Lanes per author: a laned counter's lane is `counter mod COUNTER_LANES`. */
export const COUNTER_LANES = 1024;

/** 2⁵⁰: counters from here on are laned (a clock before 2004 is taken as 2004). */
export const LANED_COUNTER_FROM = 2 ** 50;

/** The lane of a laned counter; undefined for a counter below `LANED_COUNTER_FROM`. */
export function counterLane(counter: number): number | undefined {
  return counter >= LANED_COUNTER_FROM ? counter % COUNTER_LANES : undefined;
}

/**
 * The next counter of `lane` after `last`: above `last`, not below the clock's slot, and in
 * the lane. Stays a safe integer: past 2⁵³ the slot stops following the clock.
 */
export function nextLanedCounter(last: number, lane: number, nowMs: number): number {
  if (!Number.isSafeInteger(lane) || lane < 0 || lane >= COUNTER_LANES) {
    throw new RangeError(`a lane is an integer from 0 to ${COUNTER_LANES - 1}`);
  }
  const clock = Number.isFinite(nowMs) ? Math.floor(nowMs) * COUNTER_LANES : 0;
  const floor = Math.max(
    last + 1,
    LANED_COUNTER_FROM,
    clock <= Number.MAX_SAFE_INTEGER ? clock : 0,
  );
  const value = floor + ((lane - (floor % COUNTER_LANES) + COUNTER_LANES) % COUNTER_LANES);
  if (!Number.isSafeInteger(value)) throw new RangeError('the counter ran out of safe integers');
  return value;
}

/** A lane drawn at random, for a window or process that starts sealing. */
export function randomCounterLane(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]! % COUNTER_LANES;
}
