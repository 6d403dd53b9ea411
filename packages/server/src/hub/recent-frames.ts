import type { CommittedEvent } from './event-frame.js';

/**
 * The most recent committed events of one session with their encoded frames, bounded by count and
 * bytes. A subscriber that was away briefly (a reconnect storm: a thousand devices each missing
 * the same hundred events) is caught up from here: the frames every live subscriber was sent,
 * shared, with no store read and no encoding per subscriber.
 *
 * Invariant: the events held have consecutive seqs, each committed, and the last is the last
 * event the session committed since this was created (the session appends in seq order; an
 * out-of-order push empties it rather than leave a hole that would be replayed as a gap).
 */
export class RecentFrames {
  private events: CommittedEvent[] = [];
  /** Index of the oldest event still held (dropped ones are spliced away in bulk). */
  private start = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  push(ev: CommittedEvent): void {
    const last = this.events[this.events.length - 1];
    if (last && ev.seq !== last.seq + 1) this.clear();
    this.events.push(ev);
    this.bytes += ev.frame.length;
    while (
      this.events.length - this.start > this.maxEvents ||
      (this.bytes > this.maxBytes && this.events.length - this.start > 1)
    ) {
      this.bytes -= this.events[this.start]!.frame.length;
      this.start++;
    }
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /**
   * Up to `limit` events from `fromSeq` on, in order; undefined when `fromSeq` is older than the
   * oldest held (read the store instead). Empty when `fromSeq` is past the newest.
   */
  from(fromSeq: number, limit: number): CommittedEvent[] | undefined {
    const first = this.events[this.start];
    if (!first || fromSeq < first.seq) return undefined;
    const at = this.start + (fromSeq - first.seq);
    return this.events.slice(at, at + limit);
  }

  clear(): void {
    this.events = [];
    this.start = 0;
    this.bytes = 0;
  }
}
