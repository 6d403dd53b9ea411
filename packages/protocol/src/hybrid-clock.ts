import { z } from 'zod';

/**
 * A hybrid logical clock reading (Kulkarni et al., 2014): wall time in milliseconds, a counter
 * that orders readings within one millisecond (or while the wall clock stands still or goes
 * back), and the node (device) that took it, which breaks the last ties. Readings are totally
 * ordered by `compareHlc`; a clock never issues a reading below one it has seen.
 *
 * Used by the `timestamp` conflict strategy of shared documents: the write with the greater
 * reading wins a conflicting field. The server refuses readings too far ahead of its own clock
 * (`MAX_HLC_AHEAD_MS`), or one device with a wrong clock would win every conflict for hours.
 */
export const Hlc = z.object({
  wallMs: z.number().int().nonnegative(),
  counter: z.number().int().nonnegative().max(0x7fffffff),
  node: z.string().min(1).max(64),
});
export type Hlc = z.infer<typeof Hlc>;

/** How far ahead of the server's clock a reading may be before a write carrying it is refused. */
export const MAX_HLC_AHEAD_MS = 60_000;

/** Negative when `a` is earlier than `b`, positive when later, 0 only for the same reading. */
export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.wallMs !== b.wallMs) return a.wallMs - b.wallMs;
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/**
 * One node's clock. `now()` stamps a local event; `observe()` takes in a reading from elsewhere
 * (a `doc.changed` event) so the next local reading is after it, whatever the wall clock says.
 */
export class HybridClock {
  private last: Hlc;

  constructor(
    readonly node: string,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.last = { wallMs: 0, counter: 0, node };
  }

  now(): Hlc {
    const wall = this.wallClock();
    this.last =
      wall > this.last.wallMs
        ? { wallMs: wall, counter: 0, node: this.node }
        : { wallMs: this.last.wallMs, counter: this.last.counter + 1, node: this.node };
    return this.last;
  }

  observe(remote: Hlc): void {
    const wall = this.wallClock();
    const top = Math.max(wall, this.last.wallMs, remote.wallMs);
    let counter = 0;
    if (top === this.last.wallMs && top === remote.wallMs)
      counter = Math.max(this.last.counter, remote.counter) + 1;
    else if (top === this.last.wallMs) counter = this.last.counter + 1;
    else if (top === remote.wallMs) counter = remote.counter + 1;
    this.last = { wallMs: top, counter, node: this.node };
  }
}
