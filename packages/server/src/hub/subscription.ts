import type { Peer } from './peer.js';
import type { CommitFrames } from './commit-frames.js';
import type { CommittedEvent } from './event-frame.js';
import { committedFrameFor } from './legacy-events.js';

/** Above this many queued bytes a live subscriber is considered behind and is resynced. */
export const LAG_HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * One connection's attachment to one session.
 *
 * States:
 * - `catching_up`: the session's catch-up pump is sending stored events (or a snapshot) from
 *   `nextSeq`; live events are not sent meanwhile — they are in the store, and the pump reads
 *   them before it switches to `live`.
 * - `live`: committed events are sent as they commit. Switching to live happens synchronously
 *   after checking `nextSeq > committedSeq`, so no event can fall into the seam.
 *
 * A live subscriber whose socket queue passes the high-water mark drops back to `catching_up`:
 * it is never waited for (the runner and other viewers go on), and when its queue drains it is
 * brought up to date from the store or with a fresh snapshot.
 */
export class Subscription {
  state: 'catching_up' | 'live' = 'catching_up';
  /** The next sequence number this subscriber needs. */
  nextSeq: number;
  /** Set once the subscription ended (unsubscribe, close, session deleted). */
  ended = false;
  /** Whether the next snapshot sent should say `resync` (the subscriber fell behind). */
  fellBehind = false;
  /**
   * Whether the subscriber's position was not in the session's log (another epoch, or beyond the
   * head): it must get a `reset` snapshot before anything else, never silence.
   */
  resetPending = false;
  /** Whether the session's catch-up pump is running for this subscriber. */
  pumping = false;

  constructor(
    readonly peer: Peer,
    /** Changes when the device's role changes (LiveSession.refreshAttachment). */
    public readOnly: boolean,
    afterSeq: number,
    readonly since: number,
  ) {
    this.nextSeq = afterSeq + 1;
  }

  end(): void {
    this.ended = true;
  }

  /** Offers a live event. Returns false when the subscriber must catch up from the store. */
  offer(ev: CommittedEvent, sessionId: string): boolean {
    if (this.state !== 'live' || this.ended) return true;
    if (!this.inLine(ev)) return this.fellBack(ev);
    this.peer.send(committedFrameFor(this.peer.protocolVersion, sessionId, ev));
    this.nextSeq = ev.seq + 1;
    return true;
  }

  /**
   * Offers a commit's events (consecutive seqs) at once: one shared encoding written to the
   * peer where it can take one, else event by event. Returns false when the subscriber must
   * catch up from the store. The lag check is made once, before the run: a run is at most one
   * commit, and the hard limit of the connection still bounds its queue.
   */
  offerAll(batch: CommitFrames): boolean {
    const first = batch.events[0];
    if (first === undefined || this.state !== 'live' || this.ended) return true;
    if (!batch.consecutive || !this.peer.sendFrames) {
      for (const ev of batch.events) if (!this.offer(ev, batch.sessionId)) return false;
      return true;
    }
    if (!this.inLine(first)) return this.fellBack(first);
    const { frames, shared } = batch.for(this.peer.protocolVersion, this.peer.livePages);
    this.peer.sendFrames(frames, shared);
    this.nextSeq = batch.events[batch.events.length - 1]!.seq + 1;
    return true;
  }

  /** Whether `ev` can go to this live subscriber now: next in line, and its queue not lagging. */
  private inLine(ev: CommittedEvent): boolean {
    return ev.seq === this.nextSeq && this.peer.bufferedAmount() <= LAG_HIGH_WATER_BYTES;
  }

  /** Drops a live subscriber back to catching up from the store; always false (it must). */
  private fellBack(ev: CommittedEvent): false {
    this.state = 'catching_up';
    this.fellBehind = ev.seq >= this.nextSeq;
    return false;
  }
}
